/** Client-side checks that give early, specific messages; the server re-checks all. */
import type { Allocation } from "@/api/models";
import { toNumber } from "./format";

/** A field's bounds as the server states them (api/rules.ts, JSON Schema names). */
export interface Bounds {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}

/** Whether ``n`` is inside the server's ``bounds`` for a field. */
export function withinBounds(n: number, bounds: Bounds): boolean {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = bounds;
  return (
    (minimum === undefined || n >= minimum) &&
    (maximum === undefined || n <= maximum) &&
    (exclusiveMinimum === undefined || n > exclusiveMinimum) &&
    (exclusiveMaximum === undefined || n < exclusiveMaximum)
  );
}

/** The bounds in words, each number shown by ``show``: "above 0 and at most 100 pp". */
export function boundsText(bounds: Bounds, show: (n: number) => string): string {
  const parts = [
    bounds.exclusiveMinimum !== undefined && `above ${show(bounds.exclusiveMinimum)}`,
    bounds.minimum !== undefined && `at least ${show(bounds.minimum)}`,
    bounds.maximum !== undefined && `at most ${show(bounds.maximum)}`,
    bounds.exclusiveMaximum !== undefined && `under ${show(bounds.exclusiveMaximum)}`,
  ].filter(Boolean);
  return parts.join(" and ");
}

/** Tolerance of the classic rules: targets must sum to 100 % within 0.01 pp. */
export const SUM_TOLERANCE = 0.01;

// The server's pattern (domain/targets.py SYMBOL_PATTERN): letters and digits, an
// optional class or pair suffix (BRK.B, BTC/USD).
const SYMBOL_RE = /^[A-Z][A-Z0-9]{0,9}([./][A-Z0-9]{1,5})?$/;

export function normalizeSymbol(raw: string): string {
  return raw.trim().toUpperCase();
}

export function validateSymbol(raw: string, existing: string[] = []): string | null {
  const symbol = normalizeSymbol(raw);
  if (!symbol) return "Enter a ticker symbol, e.g. SPY.";
  if (!SYMBOL_RE.test(symbol)) {
    return "Use a ticker of 1–10 letters or digits starting with a letter, optionally with a class like BRK.B.";
  }
  if (existing.includes(symbol)) return `${symbol} already has a target; edit that row instead.`;
  return null;
}

/** "40", "12.5" or "12.5 %" → the number typed, or NaN. */
export function parsePercent(raw: string): number {
  const text = raw.trim().replace(/\s*%$/, "");
  return text === "" ? NaN : Number(text);
}

export function validatePercent(raw: string): string | null {
  const text = raw.trim().replace(/\s*%$/, "");
  if (text === "") return "Enter a target percent.";
  const n = Number(text);
  if (!Number.isFinite(n)) return "Enter a number, e.g. 40 or 12.5.";
  if (n < 0) return "The target cannot be below 0% (0% sells the holding).";
  if (n > 100) return "The target cannot be more than 100%.";
  if (!/^\d+(\.\d{1,2})?$/.test(text)) return "Use at most two decimals.";
  return null;
}

export type SumState =
  | { kind: "empty" }
  | { kind: "ok"; total: number }
  | { kind: "under"; total: number; missing: number }
  | { kind: "over"; total: number; over: number };

/** Sum of the enabled targets and how far it is from 100 %. */
export function allocationSum(allocations: Allocation[]): SumState {
  const enabled = allocations.filter((a) => a.enabled);
  if (enabled.length === 0) return { kind: "empty" };
  const total = Math.round(enabled.reduce((s, a) => s + toNumber(a.target_percent), 0) * 100) / 100;
  const diff = Math.round((total - 100) * 100) / 100;
  if (Math.abs(diff) <= SUM_TOLERANCE) return { kind: "ok", total };
  return diff < 0 ? { kind: "under", total, missing: -diff } : { kind: "over", total, over: diff };
}
