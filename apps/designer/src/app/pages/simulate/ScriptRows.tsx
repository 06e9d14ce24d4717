import { useSegments } from '../../../api/queries.js';
import { EventNameInput } from '../../forms/EventNameInput.js';
import { segmentOptionLabel } from '../../forms/SegmentPicker.js';
import type { TraitRow } from './sim-words.js';
import type { EventRow } from './useSimulation.js';

function replaceAt<T>(list: T[], index: number, item: T): T[] {
  return list.map((x, i) => (i === index ? item : x));
}

/** The described contact's traits, one name and value per row. */
export function TraitRows({
  rows,
  onChange,
}: {
  rows: TraitRow[];
  onChange: (r: TraitRow[]) => void;
}) {
  return (
    <div className="field" data-testid="simulate-traits">
      <span className="field-label">Traits</span>
      {rows.map((row, i) => (
        <div className="row" key={i}>
          <input
            className="narrow-name"
            placeholder="trait, e.g. plan"
            aria-label={`trait ${i + 1} name`}
            value={row.name}
            onChange={(e) => onChange(replaceAt(rows, i, { ...row, name: e.target.value }))}
          />
          <input
            placeholder="value"
            aria-label={`trait ${i + 1} value`}
            value={row.value}
            onChange={(e) => onChange(replaceAt(rows, i, { ...row, value: e.target.value }))}
          />
          <button
            className="icon"
            title="Remove trait"
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button className="link" onClick={() => onChange([...rows, { name: '', value: '' }])}>
        + Add trait
      </button>
    </div>
  );
}

/** Which segments the described contact is in, by name and size. */
export function SegmentChecks({
  selected,
  onChange,
}: {
  selected: string[];
  onChange: (ids: string[]) => void;
}) {
  const segments = useSegments();
  return (
    <div className="field" data-testid="simulate-segments">
      <span className="field-label">In segments</span>
      {segments.data?.length === 0 && <span className="muted small">No segments yet.</span>}
      {segments.data?.map((s) => (
        <label className="inline" key={s.id}>
          <input
            type="checkbox"
            checked={selected.includes(s.id)}
            onChange={(e) =>
              onChange(e.target.checked ? [...selected, s.id] : selected.filter((x) => x !== s.id))
            }
          />
          {segmentOptionLabel(s)}
        </label>
      ))}
    </div>
  );
}

/** What the contact does and when: day (0 = the day they enter, negative = history), event, properties. */
export function EventRows({
  rows,
  onChange,
}: {
  rows: EventRow[];
  onChange: (r: EventRow[]) => void;
}) {
  return (
    <div className="field sim-events" data-testid="simulate-events">
      <span className="field-label">What they do</span>
      {rows.map((row, i) => (
        <div className="row sim-event-row" key={i} data-testid={`simulate-event-${i}`}>
          <label className="inline">
            Day
            <input
              type="number"
              className="narrow"
              aria-label={`event ${i + 1} day`}
              value={row.day}
              onChange={(e) => onChange(replaceAt(rows, i, { ...row, day: e.target.value }))}
            />
          </label>
          <EventNameInput
            value={row.event}
            testId={`simulate-event-${i}-name`}
            onChange={(event) => onChange(replaceAt(rows, i, { ...row, event }))}
          />
          <input
            placeholder="details, e.g. revenue: 40"
            aria-label={`event ${i + 1} details`}
            value={row.properties}
            onChange={(e) => onChange(replaceAt(rows, i, { ...row, properties: e.target.value }))}
          />
          <button
            className="icon"
            title="Remove event"
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        className="link"
        data-testid="simulate-add-event"
        onClick={() => onChange([...rows, { day: '1', event: '', properties: '' }])}
      >
        + Add an event
      </button>
      <span className="muted small">
        Day 0 is the day they enter; negative days are history already on their profile.
      </span>
    </div>
  );
}
