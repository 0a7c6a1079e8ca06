import { describe, expect, it } from "vitest";
import { keepColumns, parseTargets, thin } from "./prices";

describe("parseTargets", () => {
  it("reads SYMBOL=PCT and SYMBOL PCT lists", () => {
    expect(parseTargets("SPY=60 tlt=40")).toEqual({ SPY: 60, TLT: 40 });
    expect(parseTargets("SPY 60, TLT 40")).toEqual({ SPY: 60, TLT: 40 });
  });
  it("refuses unreadable input", () => {
    expect(parseTargets("SPY=x")).toBeNull();
    expect(parseTargets("SPY")).toBeNull();
    expect(parseTargets("  ")).toBeNull();
  });
});

describe("keepColumns", () => {
  it("keeps the date and the targets' columns", () => {
    expect(keepColumns("date,A,B,C\n2024-01-02,1,2,3\n\n", ["c", "A"])).toBe("date,A,C\n2024-01-02,1,3");
  });
  it("returns the text unchanged when every column is wanted", () => {
    expect(keepColumns("date,A\n2024-01-02,1\n", ["A"])).toBe("date,A\n2024-01-02,1\n");
  });
});

describe("thin", () => {
  it("keeps evenly spaced points and the last", () => {
    expect(thin([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([1, 4, 7]);
    expect(thin([1, 2, 3, 4, 5, 6], 4)).toEqual([1, 3, 5, 6]);
    expect(thin([1, 2], 4)).toEqual([1, 2]);
  });
});
