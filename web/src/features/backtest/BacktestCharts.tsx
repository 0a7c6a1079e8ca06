import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { PolicyResult } from "@/api/client";
import { policyStroke, timeAxis } from "./axis";
import { thin } from "./prices";

/** Points per line: enough for a chart a screen wide, few enough to stay responsive. */
const MAX_POINTS = 600;

type Row = Record<string, number | string>;

const compactUsd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", notation: "compact" });
const money = (value: number) => compactUsd.format(value);

function rows(policies: PolicyResult[], series: "values" | "drift"): Row[] {
  const first = policies[0]?.[series] ?? [];
  const picked = thin(
    first.map((_, i) => i),
    MAX_POINTS,
  );
  return picked.map((i) => {
    const row: Row = { date: String(first[i]?.[0]) };
    for (const policy of policies) row[policy.policy] = Number(policy[series][i]?.[1]);
    return row;
  });
}

function Chart({
  title,
  data,
  policies,
  format,
  scale,
}: {
  title: string;
  data: Row[];
  policies: PolicyResult[];
  format: (value: number) => string;
  scale: "log" | "linear";
}) {
  const axis = timeAxis(data.map((row) => String(row.date)));
  return (
    <figure className="min-w-0" aria-label={title}>
      <figcaption className="mb-2 text-sm font-medium text-slate-800">{title}</figcaption>
      <div className="h-64 sm:h-72">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid stroke="#e2e8f0" />
            <XAxis
              dataKey="date"
              ticks={axis.ticks}
              tickFormatter={axis.label}
              interval="preserveStartEnd"
              minTickGap={24}
              tick={{ fontSize: 12 }}
            />
            <YAxis
              scale={scale}
              domain={["auto", "auto"]}
              tickFormatter={format}
              width={64}
              tick={{ fontSize: 12 }}
              allowDataOverflow
            />
            <Tooltip formatter={(value) => format(Number(value))} labelClassName="font-medium" />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {policies.map((policy, index) => (
              <Line
                key={policy.policy}
                dataKey={policy.policy}
                {...policyStroke(index)}
                dot={false}
                strokeWidth={1.5}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** Value (log scale) and largest drift over time, one line per policy. */
export function BacktestCharts({ policies }: { policies: PolicyResult[] }) {
  return (
    <div className="grid gap-6 lg:grid-cols-2" data-testid="backtest-charts">
      <Chart title="Portfolio value" data={rows(policies, "values")} policies={policies} format={money} scale="log" />
      <Chart
        title="Largest drift (pp)"
        data={rows(policies, "drift")}
        policies={policies}
        format={(v) => v.toFixed(1)}
        scale="linear"
      />
    </div>
  );
}
