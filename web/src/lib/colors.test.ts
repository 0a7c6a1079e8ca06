import { beforeEach, describe, expect, it } from "vitest";
import { CASH_COLOR, forgetSymbolColors, symbolColors } from "./colors";

beforeEach(() => forgetSymbolColors());

describe("symbol colours", () => {
  it("keep each symbol's colour when targets are added, removed or reordered", () => {
    const first = symbolColors(["SPY", "QQQ", "TLT", "GLD"]);
    const later = symbolColors(["AAPL", "GLD", "TLT", "SPY"]);
    for (const symbol of ["SPY", "TLT", "GLD"]) expect(later.get(symbol)).toBe(first.get(symbol));
    expect(symbolColors(["QQQ"]).get("QQQ")).toBe(first.get("QQQ"));
  });

  it("give the symbols on screen different colours, and cash its own grey", () => {
    const colors = symbolColors(["SPY", "QQQ", "TLT", "GLD", "VTI", "BND", "AAPL", "MSFT"]);
    const shown = ["SPY", "QQQ", "TLT", "GLD", "VTI", "BND", "AAPL", "MSFT"].map((s) => colors.get(s));
    expect(new Set(shown).size).toBe(8);
    expect(colors.get("Cash")).toBe(CASH_COLOR);
  });

  it("are remembered across reloads of the page", () => {
    const before = symbolColors(["SPY", "QQQ"]);
    expect(JSON.parse(localStorage.getItem("trimtab.symbol-colors") ?? "{}")).toHaveProperty("SPY");
    expect(symbolColors(["QQQ", "SPY"])).toEqual(before);
  });
});
