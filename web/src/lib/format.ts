/** Display formatting: USD money, 2-decimal percents, signed drift in pp. */
import type { RunTrigger } from "@/api/models";

/** A number as the server sends it, or as typed (a decimal string). */
export type Num = number | string;

export function toNumber(value: Num | null | undefined): number {
  if (value === null || value === undefined || value === "") return NaN;
  return typeof value === "number" ? value : Number(value);
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const usdCompact = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});
const fixed2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const qtyFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });

const DASH = "—";

export function formatMoney(value: Num | null | undefined): string {
  const n = toNumber(value);
  return Number.isFinite(n) ? usd.format(n) : DASH;
}

export function formatMoneyWhole(value: Num | null | undefined): string {
  const n = toNumber(value);
  return Number.isFinite(n) ? usdCompact.format(n) : DASH;
}

export function formatPercent(value: Num | null | undefined): string {
  const n = toNumber(value);
  return Number.isFinite(n) ? `${fixed2.format(n)}%` : DASH;
}

/** Drift in percentage points, always signed: "+6.50 pp", "−3.25 pp", "0.00 pp". */
export function formatDrift(value: Num | null | undefined): string {
  const n = toNumber(value);
  if (!Number.isFinite(n)) return DASH;
  const rounded = Math.round(n * 100) / 100;
  if (rounded === 0) return "0.00 pp";
  const sign = rounded > 0 ? "+" : "−";
  return `${sign}${fixed2.format(Math.abs(rounded))} pp`;
}

/** A drift in dollars, signed, to the cent: "+$6,500.00", "−$5,196.28", "$0.00" (never "−$0.00"). */
export function formatDriftMoney(value: Num | null | undefined): string {
  const n = toNumber(value);
  if (!Number.isFinite(n)) return DASH;
  const cents = Math.round(Math.abs(n) * 100);
  if (cents === 0) return "$0.00";
  return `${n > 0 ? "+" : "−"}${usd.format(cents / 100)}`;
}

export function formatQty(value: Num | null | undefined): string {
  const n = toNumber(value);
  return Number.isFinite(n) ? qtyFormat.format(n) : DASH;
}

const dateTime = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  second: "2-digit",
});

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? DASH : dateTime.format(d);
}

const timeOnly = new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit" });

/** "10:52 AM" for today, "Nov 24, 10:52:51 AM" otherwise. */
export function formatWhen(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  return d.toDateString() === now.toDateString() ? timeOnly.format(d) : dateTime.format(d);
}

const relative = new Intl.RelativeTimeFormat("en-US", { numeric: "auto" });

export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return DASH;
  const seconds = Math.round((t - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86400), "day");
}

/**
 * Server text as the page shows it: a capital first letter, a full stop, and percents
 * written as the page writes them ("105.00 %" → "105.00%"). "wrong email or password"
 * → "Wrong email or password."
 */
export function sentence(text: string | null | undefined): string {
  const trimmed = (text ?? "").trim().replace(/(\d) %/g, "$1%");
  if (!trimmed) return "";
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

export function humanize(code: string): string {
  const s = code.replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** An unsigned amount of percentage points: "6.50 pp". */
export function formatPoints(value: Num | null | undefined): string {
  const n = toNumber(value);
  return Number.isFinite(n) ? `${fixed2.format(n)} pp` : DASH;
}

/** Every trigger the server records: one it adds fails the type check here. */
const TRIGGERS: Record<RunTrigger, string> = { manual: "Manual", scheduled: "Scheduled" };

export function triggerLabel(trigger: RunTrigger): string {
  return TRIGGERS[trigger];
}
