import type { JourneyPropertyFilter as PropertyFilter } from '@cairn/core';
import { Field, FiltersEditor, TextInput } from '../inputs.js';

/** An event name with optional property filters, shared by triggers, waits and branches. */
export function EventWithFilters({
  event,
  filters,
  events,
  onChange,
}: {
  event: string;
  filters: PropertyFilter[] | undefined;
  events: string[];
  onChange: (event: string, filters: PropertyFilter[] | undefined) => void;
}) {
  return (
    <>
      <Field label="Event">
        <TextInput
          value={event}
          list="cairn-journey-events"
          placeholder="e.g. order_completed"
          onChange={(e) => onChange(e, filters)}
          testId="event-name"
        />
        <datalist id="cairn-journey-events">
          {events.map((e) => (
            <option key={e} value={e} />
          ))}
        </datalist>
      </Field>
      <Field label="Where">
        <FiltersEditor filters={filters ?? []} onChange={(f) => onChange(event, f)} />
      </Field>
    </>
  );
}
