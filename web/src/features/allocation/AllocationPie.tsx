import { useEffect, useRef } from "react";
import { Cell, Pie, PieChart, Tooltip, type TooltipContentProps } from "recharts";
import { formatMoney, formatPercent } from "@/lib/format";

const PIE_SIZE = 192; // matches the h-48 w-48 frame

/**
 * Chromium puts recharts' z-index layer <g> elements in the tab order (a second,
 * empty stop after the chart); tabindex=-1 takes them out. The chart itself is no tab
 * stop either (recharts' accessibility layer is off): the legend beside it lists every
 * slice's share and value as text.
 */
function useUntabbableLayers() {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const fix = () =>
      root.querySelectorAll('g[class^="recharts-zIndex-layer"]:not([tabindex])').forEach((g) => g.setAttribute("tabindex", "-1"));
    fix();
    const observer = new MutationObserver(fix);
    observer.observe(root, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, []);
  return ref;
}

export interface PieSlice {
  name: string;
  percent: number;
  value: number | null; // dollars, when the portfolio value is known
  color: string;
}

function SliceTooltip({ active, payload }: Partial<TooltipContentProps<number, string>>) {
  const slice = active && payload?.[0] ? (payload[0].payload as PieSlice) : null;
  if (!slice) return null;
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2 text-sm shadow-md">
      <div className="flex items-center gap-2 font-semibold text-slate-900">
        <span className="size-2.5 rounded-full" style={{ backgroundColor: slice.color }} aria-hidden />
        {slice.name}
      </div>
      <div className="mt-0.5 tabular-nums text-slate-700">
        {formatPercent(slice.percent)}
        {slice.value !== null && <> · {formatMoney(slice.value)}</>}
      </div>
    </div>
  );
}

/**
 * A donut with a legend that repeats every slice's % and $, so the numbers are
 * readable without hovering (and by screen readers, via the list).
 */
export function AllocationPie({
  title,
  slices,
  centerLabel,
  centerValue,
  emptyText,
  testId,
}: {
  title: string;
  slices: PieSlice[];
  centerLabel: string;
  centerValue: string;
  emptyText: string;
  testId: string;
}) {
  const data = slices.filter((s) => s.percent > 0);
  const chartRef = useUntabbableLayers();
  return (
    <figure data-testid={testId} aria-label={`${title} pie chart`} className="flex flex-col gap-4 sm:flex-row sm:items-center lg:flex-col xl:flex-row">
      <div ref={chartRef} className="relative mx-auto h-48 w-48 shrink-0">
        {data.length > 0 ? (
          <PieChart width={PIE_SIZE} height={PIE_SIZE} accessibilityLayer={false} aria-hidden>
              <Pie
                data={data}
                dataKey="percent"
                nameKey="name"
                innerRadius="62%"
                outerRadius="100%"
                paddingAngle={data.length > 1 ? 1.5 : 0}
                stroke="none"
                isAnimationActive={false}
                rootTabIndex={-1}
              >
                {data.map((s) => (
                  <Cell key={s.name} fill={s.color} />
                ))}
              </Pie>
              <Tooltip content={<SliceTooltip />} wrapperStyle={{ zIndex: 10 }} />
          </PieChart>
        ) : (
          <div className="size-full rounded-full border-[18px] border-slate-100" />
        )}
        <div className="pointer-events-none absolute inset-0 flex flex-col items-center justify-center text-center">
          <span className="text-xs text-slate-600">{centerLabel}</span>
          <span className="text-sm font-semibold tabular-nums text-slate-900">{centerValue}</span>
        </div>
      </div>
      <figcaption className="sr-only">{title}</figcaption>
      {data.length === 0 ? (
        <p className="text-sm text-slate-600">{emptyText}</p>
      ) : (
        <ul className="min-w-0 flex-1 space-y-1.5 text-sm" aria-label={`${title} legend`}>
          {data.map((s) => (
            <li key={s.name} className="flex items-center gap-2" data-testid={`${testId}-legend-${s.name}`}>
              <span className="size-2.5 shrink-0 rounded-full" style={{ backgroundColor: s.color }} aria-hidden />
              <span className="min-w-12 font-medium text-slate-900">{s.name}</span>
              <span className="ml-auto tabular-nums text-slate-900">{formatPercent(s.percent)}</span>
              <span className="w-28 text-right tabular-nums text-slate-600">{s.value !== null ? formatMoney(s.value) : "—"}</span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
