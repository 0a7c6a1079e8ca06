import { describe, expect, it } from "vitest";
import { MAX_PRICES_CSV, keepColumns, keepRows, parseTargets, pricesForRequest, thin, uniquePolicies } from "./prices";

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

const DAYS = "date,A\n2024-01-02,1\n2024-01-03,2\n2024-01-04,3\n2024-01-05,4\n2024-01-08,5\n";

describe("keepRows", () => {
  it("keeps the header, the rows of the range and the file's first and last rows", () => {
    expect(keepRows(DAYS, "2024-01-04", "")).toBe("date,A\n2024-01-02,1\n2024-01-04,3\n2024-01-05,4\n2024-01-08,5");
    expect(keepRows(DAYS, "2024-01-03", "2024-01-04")).toBe(
      "date,A\n2024-01-02,1\n2024-01-03,2\n2024-01-04,3\n2024-01-08,5",
    );
    expect(keepRows(DAYS, "", "2024-01-03")).toBe("date,A\n2024-01-02,1\n2024-01-03,2\n2024-01-08,5");
  });
  it("keeps rows whose date it cannot read, and everything without a range", () => {
    expect(keepRows("date,A\n2024-01-02,1\n1/3/2024,2\n2024-01-04,3\n2024-01-05,4", "2024-01-05", "")).toBe(
      "date,A\n2024-01-02,1\n1/3/2024,2\n2024-01-05,4",
    );
    expect(keepRows(DAYS, "", "")).toBe(DAYS);
  });
});

describe("pricesForRequest", () => {
  it("cuts columns and rows", () => {
    expect(pricesForRequest("date,A,B\n2024-01-02,1,9\n2024-01-03,2,9\n2024-01-04,3,9\n2024-01-05,4,9", ["a"], "2024-01-04", "2024-01-04")).toEqual({
      csv: "date,A\n2024-01-02,1\n2024-01-04,3\n2024-01-05,4",
    });
  });
  it("names the limit when the cut prices are still too long", () => {
    const row = "2024-01-02," + "1".repeat(100);
    const csv = "date,A\n" + Array.from({ length: 10_000 }, () => row).join("\n");
    expect(MAX_PRICES_CSV).toBe(1_000_000);
    expect(pricesForRequest(csv, ["A"], "", "")).toEqual({
      error:
        "Prices: cut to the targets' columns, the CSV is still 1,120,006 characters; the server takes at most 1,000,000. " +
        "Pick a later From or an earlier To, or fewer targets.",
    });
  });
});

describe("uniquePolicies", () => {
  it("sends each SPEC once, as the server reads it", () => {
    expect(uniquePolicies(["band:5", "quarterly", "", "band:5", "BAND:5", "relative:25"])).toEqual([
      "band:5",
      "quarterly",
      "relative:25",
    ]);
  });
});

describe("thin", () => {
  it("keeps evenly spaced points and the last", () => {
    expect(thin([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([1, 4, 7]);
    expect(thin([1, 2, 3, 4, 5, 6], 4)).toEqual([1, 3, 5, 6]);
    expect(thin([1, 2], 4)).toEqual([1, 2]);
  });
});
