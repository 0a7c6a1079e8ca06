/**
 * One colour per symbol, shared by both pies and their legends. Colours are given
 * in order of the symbol list (targets first, then other holdings), so a symbol keeps
 * its colour while the list is unchanged.
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

export function symbolColors(symbols: string[]): Map<string, string> {
  const colors = new Map<string, string>();
  for (const symbol of symbols) {
    if (colors.has(symbol)) continue;
    colors.set(symbol, PALETTE[colors.size % PALETTE.length] ?? "#64748b");
  }
  colors.set(CASH_KEY, CASH_COLOR);
  return colors;
}
