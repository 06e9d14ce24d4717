import { Bar, BarChart, LabelList, Tooltip, XAxis, YAxis } from 'recharts';
import type { FunnelBar } from './funnel.js';

const ROW_HEIGHT = 30;

/** The step funnel (recharts): one horizontal bar per step in graph order, labelled with its count and share. */
export function FunnelChart({ bars, width = 560 }: { bars: FunnelBar[]; width?: number }) {
  if (bars.length === 0) return <p className="muted small">This journey has no steps yet.</p>;
  return (
    <figure className="funnel-chart" data-testid="journey-funnel-chart">
      <BarChart
        layout="vertical"
        width={width}
        height={bars.length * ROW_HEIGHT + 16}
        data={bars}
        margin={{ top: 4, right: 96, bottom: 4, left: 8 }}
        barCategoryGap={6}
        accessibilityLayer
      >
        <XAxis type="number" hide allowDecimals={false} />
        <YAxis
          type="category"
          dataKey="name"
          width={200}
          fontSize={12}
          tickLine={false}
          axisLine={false}
        />
        <Tooltip
          formatter={(value, _name, item) => [
            `${String(value)} (${(item.payload as FunnelBar).share} of entrants)`,
            'reached',
          ]}
        />
        <Bar
          dataKey="reached"
          fill="#4f46e5"
          radius={[0, 3, 3, 0]}
          // A step nobody reached still gets a sliver, so its "0" is drawn beside it.
          minPointSize={2}
          isAnimationActive={false}
        >
          <LabelList
            dataKey="reached"
            position="right"
            fontSize={12}
            formatter={(value) => String(value)}
          />
          <LabelList dataKey="share" position="right" offset={44} fontSize={11} fill="#71717a" />
        </Bar>
      </BarChart>
    </figure>
  );
}
