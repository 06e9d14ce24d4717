import type { WidgetProps } from '@rjsf/utils';
import { useJourneys } from '../../../api/queries.js';

/** The `journey-picker` hint of start/stop-journey steps: journeys by name, the id stored. */
export function JourneyPickerWidget({ id, value, onChange, required }: WidgetProps) {
  const journeys = useJourneys();
  const current = typeof value === 'string' ? value : '';
  const known = journeys.data?.some((j) => j.id === current) ?? false;
  return (
    <select
      id={id}
      value={current}
      required={required}
      data-testid="journey-picker"
      onChange={(e) => onChange(e.target.value || undefined)}
    >
      <option value="">Choose a journey…</option>
      {!known && current && <option value={current}>{current}</option>}
      {journeys.data?.map((j) => (
        <option key={j.id} value={j.id}>
          {j.name}
          {j.status === 'published' ? '' : ` (${j.status})`}
        </option>
      ))}
    </select>
  );
}

export const STEP_WIDGETS = { 'journey-picker': JourneyPickerWidget };
