import type { HoldoutComparison } from '../../api/client.js';
import { rate } from './series.js';

/** Converted share of the journey's contacts against the held-out ones, and the lift between them. */
export function HoldoutLift({ comparison }: { comparison: HoldoutComparison }) {
  const { journey, holdout, lift } = comparison;
  return (
    <div className="holdout-lift" data-testid="journey-holdout-lift">
      <span className="eyebrow">Journey vs holdout</span>
      <span
        title={`${journey.converted} of ${journey.contacts} contacts who went through the journey converted`}
      >
        journey {rate(journey.converted, journey.contacts)} ({journey.contacts})
      </span>
      <span
        title={`${holdout.converted} of ${holdout.contacts} held-out contacts converted without it`}
      >
        holdout {rate(holdout.converted, holdout.contacts)} ({holdout.contacts})
      </span>
      <span title="(journey rate − holdout rate) / holdout rate">
        lift {lift === null ? '—' : `${lift >= 0 ? '+' : ''}${Math.round(lift * 1000) / 10}%`}
      </span>
    </div>
  );
}
