/**
 * Prices and targets as the backtest form reads them. The server has the rules and
 * the errors (docs/backtest.md); this only keeps a request small: a wide, long CSV is
 * cut down to the date column, the targets' columns and the rows of the chosen range
 * before it is sent, and one still over the server's limit is refused here with a
 * sentence that says why, instead of the server's byte count.
 */
import { limits } from "@/api/rules";

/** The most characters of CSV text the server takes (`BacktestBody.prices_csv`). */
export const MAX_PRICES_CSV = limits.BacktestBody.prices_csv.maxLength;

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

const ISO_DAY = /^\d{4}-\d{2}-\d{2}/;

/**
 * The CSV with only the rows dated `start` to `end` (YYYY-MM-DD, inclusive; "" for
 * open), plus the header and the file's first and last rows. The server cuts the
 * range itself and needs no row before `start` (the first day of the range is the
 * base of every return); the first and last rows keep its errors true ("the prices
 * run from … to …") when the range holds no day. Rows whose date is unreadable stay,
 * for the server to name.
 */
export function keepRows(csv: string, start: string, end: string): string {
  if (!start && !end) return csv;
  const lines = csv.split(/\r?\n/).filter((line, i) => i === 0 || line.trim() !== "");
  const last = lines.length - 1;
  return lines
    .filter((line, i) => {
      if (i <= 1 || i === last) return true;
      const day = line.trim().slice(0, 10);
      if (!ISO_DAY.test(day)) return true;
      return (!start || day >= start) && (!end || day <= end);
    })
    .join("\n");
}

/**
 * The prices to send for `symbols` from `start` to `end`, or a sentence saying why they
 * cannot be sent: over `MAX_PRICES_CSV` characters even when cut down.
 */
export function pricesForRequest(
  csv: string,
  symbols: string[],
  start: string,
  end: string,
): { csv: string } | { error: string } {
  const cut = keepRows(keepColumns(csv, symbols), start, end);
  if (cut.length <= MAX_PRICES_CSV) return { csv: cut };
  const size = (n: number) => n.toLocaleString("en-US");
  return {
    error:
      `Prices: cut to the targets' columns${start || end ? " and the dates picked" : ""}, the CSV is still ` +
      `${size(cut.length)} characters; the server takes at most ${size(MAX_PRICES_CSV)}. ` +
      "Pick a later From or an earlier To, or fewer targets.",
  };
}

/** The policy SPECs in order, each once: the server reads them without case or spaces. */
export function uniquePolicies(specs: string[]): string[] {
  return [...new Set(specs.map((spec) => spec.replace(/\s+/g, "").toLowerCase()).filter(Boolean))];
}

/** At most `limit` points of a daily series, evenly spaced, always with the last. */
export function thin<T>(points: T[], limit: number): T[] {
  if (points.length <= limit) return points;
  const step = Math.ceil(points.length / limit);
  const kept = points.filter((_, i) => i % step === 0 || i === points.length - 1);
  return kept;
}
