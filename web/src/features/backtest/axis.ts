/**
 * The charts' time axis and line colours. Dates are the API's YYYY-MM-DD strings; they
 * are read as text, never through `Date`, so no time zone can move a day.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const dayNumber = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;
const month = (day: string) => MONTHS[Number(day.slice(5, 7)) - 1] ?? day.slice(5, 7);

/** Ranges up to this many days are labelled by day ("Mar 5"), up to the next by month. */
const DAY_LABELS_UP_TO = 120;
const MONTH_LABELS_UP_TO = 3 * 366;

/**
 * Where the x-axis puts its ticks and how it labels them, by the span of `dates`
 * (sorted YYYY-MM-DD): a tick on each day for up to 120 days ("Mar 5"), on the first
 * day of each month up to three years ("Mar 2018"), else of each year ("2018"). One
 * tick per day, month or year, so no two labels are the same.
 */
export function timeAxis(dates: string[]): { ticks: string[]; label: (day: string) => string } {
  const first = dates[0];
  const last = dates[dates.length - 1];
  const span = first && last ? dayNumber(last) - dayNumber(first) : 0;
  if (span <= DAY_LABELS_UP_TO) {
    const crossesYear = first?.slice(0, 4) !== last?.slice(0, 4);
    return {
      ticks: dates,
      label: (day) => `${month(day)} ${Number(day.slice(8, 10))}${crossesYear ? ` ${day.slice(0, 4)}` : ""}`,
    };
  }
  const unit = span <= MONTH_LABELS_UP_TO ? 7 : 4; // YYYY-MM or YYYY
  const ticks = dates.filter((day, i) => i === 0 || day.slice(0, unit) !== dates[i - 1]?.slice(0, unit));
  return {
    ticks,
    label: unit === 7 ? (day) => `${month(day)} ${day.slice(0, 4)}` : (day) => day.slice(0, 4),
  };
}

/**
 * Line colours for the policies, in the order they are drawn: Tableau 10, chosen to be
 * told apart (no two purples, no pink next to red). A policy's colour is not remembered
 * across runs: policies are not symbols (lib/colors keeps those).
 */
export const POLICY_COLORS = [
  "#1f77b4", // blue
  "#ff7f0e", // orange
  "#2ca02c", // green
  "#d62728", // red
  "#9467bd", // purple
  "#8c564b", // brown
  "#17becf", // cyan
  "#e377c2", // pink
  "#7f7f7f", // grey
  "#bcbd22", // olive
];

/** The colour of the `index`-th policy, and a dash pattern once the colours run out. */
export function policyStroke(index: number): { stroke: string; strokeDasharray?: string } {
  const stroke = POLICY_COLORS[index % POLICY_COLORS.length] ?? "#1f77b4";
  return index < POLICY_COLORS.length ? { stroke } : { stroke, strokeDasharray: "6 3" };
}
