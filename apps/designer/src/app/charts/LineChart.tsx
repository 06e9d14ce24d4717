import { linePoints } from './series.js';
import type { Series } from './series.js';

/** A small line chart in plain SVG: one polyline per series, the top value and the first/last labels. */
export function LineChart({
  series,
  labels,
  width = 320,
  height = 90,
  testId,
}: {
  series: Series[];
  labels: string[];
  width?: number;
  height?: number;
  testId?: string;
}) {
  const pad = 14;
  const { max, lines } = linePoints(series, { width, height, pad });
  if (labels.length === 0) return <p className="muted small">No data yet.</p>;
  return (
    <figure className="line-chart" data-testid={testId}>
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={series.map((s) => s.name).join(' and ')}
      >
        <line x1={pad} y1={height - pad} x2={width - pad} y2={height - pad} stroke="#e4e4e7" />
        <text x={pad} y={pad - 4} fontSize="10" fill="#71717a">
          {max}
        </text>
        {lines.map((l) => (
          <polyline
            key={l.name}
            points={l.points}
            fill="none"
            stroke={l.color}
            strokeWidth={2}
            data-series={l.name}
          />
        ))}
        <text x={pad} y={height - 2} fontSize="10" fill="#71717a">
          {labels[0]}
        </text>
        <text x={width - pad} y={height - 2} fontSize="10" fill="#71717a" textAnchor="end">
          {labels[labels.length - 1]}
        </text>
      </svg>
      <figcaption className="chart-legend">
        {series.map((s) => (
          <span key={s.name}>
            <i style={{ background: s.color }} /> {s.name} {s.values.reduce((a, b) => a + b, 0)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
