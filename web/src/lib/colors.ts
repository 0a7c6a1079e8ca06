/**
 * One colour per symbol, shared by both pies, their legends and the tables.
 *
 * A symbol keeps its colour for good: the first time this browser shows it, it takes
 * a palette colour no other symbol on screen has (starting from one its name picks),
 * and that choice is remembered. Adding, removing or reordering targets therefore
 * never repaints the others.
 */
export const CASH_KEY = "Cash";
export const CASH_COLOR = "#94a3b8"; // slate-400

const PALETTE = [
  "#2563eb", // blue-600
  "#f59e0b", // amber-500
  "#10b981", // emerald-500
  "#8b5cf6", // violet-500
  "#ef4444", // red-500
  "#06b6d4", // cyan-500
  "#ec4899", // pink-500
  "#84cc16", // lime-500
  "#6366f1", // indigo-500
  "#f97316", // orange-500
  "#14b8a6", // teal-500
  "#a855f7", // purple-500
];

const STORAGE_KEY = "trimtab.symbol-colors";
let remembered: Record<string, number> | null = null;

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage refused (private mode): colours last for this page's life
  }
}

function load(): Record<string, number> {
  if (remembered) return remembered;
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(STORAGE_KEY) ?? "{}");
    remembered = parsed && typeof parsed === "object" ? (parsed as Record<string, number>) : {};
  } catch {
    remembered = {};
  }
  return remembered;
}

/** Where in the palette a symbol's name points (FNV-1a), so first choices spread out. */
function preferred(symbol: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) hash = Math.imul(hash ^ symbol.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % PALETTE.length;
}

/** Forgets every remembered colour (tests). */
export function forgetSymbolColors(): void {
  remembered = {};
  storage()?.removeItem(STORAGE_KEY);
}

export function symbolColors(symbols: string[]): Map<string, string> {
  const known = load();
  const unique = [...new Set(symbols)];
  const taken = new Set(unique.filter((s) => s in known).map((s) => known[s]));
  let learned = false;
  for (const symbol of unique) {
    if (symbol in known) continue;
    const start = preferred(symbol);
    const free = PALETTE.map((_, k) => (start + k) % PALETTE.length).find((i) => !taken.has(i));
    known[symbol] = free ?? start;
    taken.add(known[symbol]);
    learned = true;
  }
  if (learned) storage()?.setItem(STORAGE_KEY, JSON.stringify(known));
  const colors = new Map(unique.map((s) => [s, PALETTE[known[s] ?? 0] ?? "#64748b"]));
  colors.set(CASH_KEY, CASH_COLOR);
  return colors;
}
