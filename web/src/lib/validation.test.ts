import { describe, expect, it } from "vitest";
import { allocation } from "@/test/fixtures";
import { allocationSum, validatePercent, validateSymbol } from "./validation";

describe("allocationSum", () => {
  it("is ok at 100 within the 0.01 pp tolerance", () => {
    expect(allocationSum([allocation("SPY", 60), allocation("TLT", 39.99)]).kind).toBe("ok");
  });
  it("reports how much is missing", () => {
    expect(allocationSum([allocation("SPY", 60), allocation("TLT", 30)])).toEqual({ kind: "under", total: 90, missing: 10 });
  });
  it("reports how much is over", () => {
    expect(allocationSum([allocation("SPY", 70), allocation("TLT", 32.5)])).toEqual({ kind: "over", total: 102.5, over: 2.5 });
  });
  it("ignores disabled targets", () => {
    expect(allocationSum([allocation("SPY", 100), allocation("TLT", 20, false)]).kind).toBe("ok");
  });
  it("accepts decimal strings from the API", () => {
    expect(allocationSum([allocation("SPY", "40.5" as unknown as number), allocation("TLT", 59.5)]).kind).toBe("ok");
  });
  it("is empty without enabled targets", () => {
    expect(allocationSum([allocation("SPY", 50, false)]).kind).toBe("empty");
  });
});

describe("validateSymbol", () => {
  it.each(["SPY", "brk.b", " qqq ", "X", "A1", "BTC/USD", "GOOGL"])("accepts %s", (s) => expect(validateSymbol(s)).toBeNull());
  it.each(["", "1SPY", "SP Y", "TOOLONGSYMBOL", "SPY!", "BRK.", "$SPY", "A.B.C"])("refuses %j", (s) => expect(validateSymbol(s)).not.toBeNull());
  it("refuses a symbol that already has a target", () => {
    expect(validateSymbol("spy", ["SPY"])).toMatch(/already has a target/);
  });
});

describe("validatePercent", () => {
  it.each(["0.01", "40", "100", "12.5", "40%", " 12.5 % "])("accepts %s", (p) => expect(validatePercent(p)).toBeNull());
  it.each([
    ["", /Enter a target percent/],
    ["abc", /Enter a number/],
    ["-1", /below 0%/],
    ["-5", /below 0%/],
    ["100.01", /cannot be more than 100%/],
    ["10.123", /two decimals/],
  ])("refuses %j", (p, message) => expect(validatePercent(p)).toMatch(message));
});
