import type { JourneyTrigger as Trigger } from '@cairn/core';
import { DEFAULT_MAX_EVENT_AGE } from '@cairn/core';
import { EventPropertyInput } from '../EventNameInput.js';
import { SegmentPicker } from '../SegmentPicker.js';
import type { ConditionPickers } from '../conditions/model.js';
import { DurationPicker, Field, Select, TextInput } from '../inputs.js';
import { EventWithFilters } from './EventWithFilters.js';

export function TriggerForm({
  trigger,
  onChange,
  pickers,
}: {
  trigger: Trigger;
  onChange: (t: Trigger) => void;
  pickers: ConditionPickers;
}) {
  return (
    <>
      <Field label="Start when">
        <Select
          testId="trigger-type"
          value={trigger.type}
          options={[
            { value: 'segmentEntered', label: 'a contact enters a segment' },
            { value: 'event', label: 'an event happens' },
            { value: 'dateAnniversary', label: 'a date comes round each year' },
            { value: 'manual', label: 'started by hand or by API' },
          ]}
          onChange={(type) =>
            onChange(
              type === 'segmentEntered'
                ? { type, segmentId: '' }
                : type === 'event'
                  ? { type, event: '' }
                  : type === 'dateAnniversary'
                    ? { type, trait: '' }
                    : { type: 'manual' },
            )
          }
        />
      </Field>
      {trigger.type === 'segmentEntered' && (
        <Field label="Segment">
          <SegmentPicker
            testId="trigger-segment"
            value={trigger.segmentId}
            segments={pickers.segments}
            onChange={(segmentId) => onChange({ ...trigger, segmentId })}
          />
        </Field>
      )}
      {trigger.type === 'event' && (
        <>
          <EventWithFilters
            event={trigger.event}
            filters={trigger.filters}
            onChange={(event, filters) => {
              const { filters: _old, ...rest } = trigger;
              onChange({ ...rest, event, ...(filters?.length ? { filters } : {}) });
            }}
          />
          <Field
            label="One run per"
            hint="Optional property, e.g. order_id: each order gets its own run."
          >
            <EventPropertyInput
              event={trigger.event}
              value={trigger.key ?? ''}
              placeholder="(one run per contact)"
              testId="trigger-key"
              onChange={(key) => {
                const { key: _old, ...rest } = trigger;
                onChange(key ? { ...rest, key } : rest);
              }}
            />
          </Field>
          <Field
            label="Only events newer than"
            hint="Older events on arrival (imports, backdated timestamps) update profiles but start no run."
          >
            <DurationPicker
              testId="trigger-max-event-age"
              value={trigger.maxEventAge ?? DEFAULT_MAX_EVENT_AGE}
              onChange={(maxEventAge) => onChange({ ...trigger, maxEventAge })}
            />
          </Field>
        </>
      )}
      {trigger.type === 'dateAnniversary' && (
        <>
          <Field label="Date trait">
            <TextInput
              value={trigger.trait}
              placeholder="e.g. birthday"
              onChange={(trait) => onChange({ ...trigger, trait })}
            />
          </Field>
          <Field label="Days before (−) or after (+)">
            <input
              type="number"
              value={trigger.offsetDays ?? 0}
              onChange={(e) => onChange({ ...trigger, offsetDays: Number(e.target.value) })}
            />
          </Field>
          <Field label="Repeats">
            <Select
              value={trigger.recurrence ?? 'yearly'}
              options={[
                { value: 'yearly', label: 'every year (birthday, anniversary)' },
                { value: 'once', label: 'once (a renewal, a trial end)' },
              ]}
              onChange={(recurrence) => onChange({ ...trigger, recurrence })}
            />
          </Field>
          <Field
            label="At"
            hint="In the contact's time zone (trait timezone), else the workspace's."
          >
            <input
              type="time"
              value={trigger.time ?? '09:00'}
              onChange={(e) => onChange({ ...trigger, time: e.target.value })}
            />
          </Field>
        </>
      )}
    </>
  );
}
