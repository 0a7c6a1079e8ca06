import { describe, expect, it } from "vitest";
import { formatDrift, formatMoney, formatPercent, sentence } from "./format";

describe("formatting", () => {
  it("formats money as USD", () => {
    expect(formatMoney("100000")).toBe("$100,000.00");
    expect(formatMoney(1234.5)).toBe("$1,234.50");
    expect(formatMoney(null)).toBe("—");
  });
  it("formats percents with two decimals", () => {
    expect(formatPercent(46.5)).toBe("46.50%");
    expect(formatPercent("12.3456")).toBe("12.35%");
  });
  it("signs drift in percentage points", () => {
    expect(formatDrift(6.5)).toBe("+6.50 pp");
    expect(formatDrift(-3.254)).toBe("−3.25 pp");
    expect(formatDrift(0.001)).toBe("0.00 pp");
  });

  it("turns server text into sentences, with the page's percents", () => {
    expect(sentence("wrong email or password")).toBe("Wrong email or password.");
    expect(sentence("no run 9999")).toBe("No run 9999.");
    expect(sentence("Cannot rebalance: targets sum to 105.00 %, expected 100 % (5.00 pp over)")).toBe(
      "Cannot rebalance: targets sum to 105.00%, expected 100% (5.00 pp over).",
    );
    expect(sentence("Done.")).toBe("Done.");
    expect(sentence("")).toBe("");
  });
});
