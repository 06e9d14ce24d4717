import type { JourneyPropertyFilter as PropertyFilter } from '@cairn/core';
import { EventNameInput } from '../EventNameInput.js';
import { Field, FiltersEditor } from '../inputs.js';

/** An event name with optional property filters, shared by triggers, waits and branches. */
export function EventWithFilters({
  event,
  filters,
  onChange,
}: {
  event: string;
  filters: PropertyFilter[] | undefined;
  onChange: (event: string, filters: PropertyFilter[] | undefined) => void;
}) {
  return (
    <>
      <Field label="Event">
        <EventNameInput value={event} onChange={(e) => onChange(e, filters)} testId="event-name" />
      </Field>
      <Field label="Where">
        <FiltersEditor filters={filters ?? []} event={event} onChange={(f) => onChange(event, f)} />
      </Field>
    </>
  );
}
