import { CartesianGrid, Line, LineChart as Chart, Tooltip, XAxis, YAxis } from 'recharts';
import { chartRows, shortDay } from './series.js';
import type { Series } from './series.js';

/** A small daily line chart (recharts): one line per series, a tooltip per day, totals in the legend. */
export function LineChart({
  series,
  labels,
  width = 320,
  height = 90,
  testId,
  legend = 'total',
}: {
  series: Series[];
  labels: string[];
  width?: number;
  height?: number;
  testId?: string;
  /** What the legend shows beside each name: the sum over the days (events), or the latest value (a size). */
  legend?: 'total' | 'latest';
}) {
  if (labels.length === 0) return <p className="muted small">No data yet.</p>;
  return (
    <figure className="line-chart" data-testid={testId}>
      <Chart
        width={width}
        height={height}
        data={chartRows(labels, series)}
        margin={{ top: 6, right: 8, bottom: 0, left: -24 }}
        accessibilityLayer
      >
        <CartesianGrid stroke="#f4f4f5" vertical={false} />
        <XAxis
          dataKey="label"
          tickFormatter={shortDay}
          fontSize={10}
          tickLine={false}
          minTickGap={24}
        />
        <YAxis allowDecimals={false} fontSize={10} tickLine={false} axisLine={false} />
        <Tooltip labelFormatter={(l) => shortDay(String(l))} />
        {series.map((s) => (
          <Line
            key={s.name}
            type="monotone"
            dataKey={s.name}
            stroke={s.color}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        ))}
      </Chart>
      <figcaption className="chart-legend">
        {series.map((s) => (
          <span key={s.name}>
            <i style={{ background: s.color }} /> {s.name}{' '}
            {legend === 'latest' ? (s.values.at(-1) ?? 0) : s.values.reduce((a, b) => a + b, 0)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
