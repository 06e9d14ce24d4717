import type { JourneyStats } from '../../../api/client.js';
import { HoldoutLift } from '../../charts/HoldoutLift.js';
import { LineChart } from '../../charts/lazy.js';

/** Enrolments and conversions by day, the holdout's lift, and the way into the funnel. */
export function StatsStrip({
  stats,
  showFunnel,
  onToggleFunnel,
}: {
  stats: JourneyStats;
  showFunnel: boolean;
  onToggleFunnel: () => void;
}) {
  if (stats.series.length === 0) return null;
  return (
    <div className="stats-strip">
      <span className="eyebrow">Enrolments and conversions by day</span>
      <LineChart
        testId="journey-series"
        width={360}
        height={64}
        labels={stats.series.map((d) => d.day)}
        series={[
          { name: 'enrolled', color: '#4f46e5', values: stats.series.map((d) => d.enrolled) },
          {
            name: 'converted',
            color: '#16a34a',
            values: stats.series.map((d) => d.converted),
          },
        ]}
      />
      {stats.holdout && stats.holdout.holdout.contacts > 0 && (
        <HoldoutLift comparison={stats.holdout} />
      )}
      <button onClick={onToggleFunnel} aria-pressed={showFunnel} data-testid="show-funnel">
        Funnel and exports
      </button>
    </div>
  );
}
