/**
 * Prices and targets as the backtest form reads them. The server has the rules and
 * the errors (docs/backtest.md); this only keeps a request small: a wide CSV is cut
 * down to the date column and the targets' columns before it is sent (the API takes
 * at most 1 MB of CSV text).
 */

/** "SPY=40 TLT=60" or "SPY 40, TLT 60" → {SPY: 40, TLT: 60}; null when a part is unreadable. */
export function parseTargets(text: string): Record<string, number> | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const targets: Record<string, number> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? "";
    const [symbol, percent] = part.includes("=") ? part.split("=") : [part, parts[++i]];
    const value = Number(percent);
    if (!symbol || percent === undefined || percent === "" || !Number.isFinite(value)) return null;
    targets[symbol.toUpperCase()] = value;
  }
  return Object.keys(targets).length ? targets : null;
}

/** The CSV with only the date column and the columns of `symbols` (others dropped). */
export function keepColumns(csv: string, symbols: string[]): string {
  const lines = csv.split(/\r?\n/);
  const header = lines[0]?.split(",") ?? [];
  const wanted = new Set(symbols.map((s) => s.toUpperCase()));
  const keep = header.map((name, i) => i === 0 || wanted.has(name.trim().toUpperCase()));
  if (keep.every(Boolean)) return csv;
  return lines
    .filter((line, i) => i === 0 || line.trim() !== "")
    .map((line) =>
      line
        .split(",")
        .filter((_, i) => keep[i])
        .join(","),
    )
    .join("\n");
}

/** At most `limit` points of a daily series, evenly spaced, always with the last. */
export function thin<T>(points: T[], limit: number): T[] {
  if (points.length <= limit) return points;
  const step = Math.ceil(points.length / limit);
  const kept = points.filter((_, i) => i % step === 0 || i === points.length - 1);
  return kept;
}
