import type { BranchCondition } from '@cairn/core';
import { ConditionGroupEditor } from '../ConditionGroupEditor.js';
import { SegmentPicker } from '../SegmentPicker.js';
import type { ConditionPickers } from '../conditions/model.js';
import { Field, FiltersEditor, Select } from '../inputs.js';
import { EventWithFilters } from './EventWithFilters.js';

export function BranchConditionForm({
  condition,
  onChange,
  pickers,
}: {
  condition: BranchCondition;
  onChange: (c: BranchCondition) => void;
  pickers: ConditionPickers;
}) {
  return (
    <>
      <Field label="Check">
        <Select
          testId="condition-on"
          value={condition.on}
          options={[
            { value: 'profile', label: 'the profile' },
            { value: 'segment', label: 'segment membership' },
            { value: 'entryEvent', label: 'the event that started the journey' },
            { value: 'eventSinceEntry', label: 'an event since they entered' },
          ]}
          onChange={(on) =>
            onChange(
              on === 'profile'
                ? { on, condition: { type: 'all', conditions: [] } }
                : on === 'segment'
                  ? { on, segmentId: '', member: true }
                  : on === 'entryEvent'
                    ? { on, filters: [] }
                    : { on, event: '' },
            )
          }
        />
      </Field>
      {condition.on === 'profile' && (
        <ConditionGroupEditor
          group={condition.condition}
          pickers={pickers}
          onChange={(g) => onChange({ on: 'profile', condition: g })}
        />
      )}
      {condition.on === 'segment' && (
        <div className="row">
          <Select
            value={condition.member ? 'in' : 'out'}
            options={[
              { value: 'in', label: 'is in' },
              { value: 'out', label: 'is not in' },
            ]}
            onChange={(v) => onChange({ ...condition, member: v === 'in' })}
          />
          <SegmentPicker
            value={condition.segmentId}
            segments={pickers.segments}
            onChange={(segmentId) => onChange({ ...condition, segmentId })}
          />
        </div>
      )}
      {condition.on === 'entryEvent' && (
        <>
          <p className="muted small" data-testid="entry-event-note">
            {pickers.entryEvent
              ? `Properties of “${pickers.entryEvent}”, the event that started the journey.`
              : 'This journey does not start with an event, so no contact matches this check: use “an event since they entered” instead.'}
          </p>
          <FiltersEditor
            filters={condition.filters}
            {...(pickers.entryEvent ? { event: pickers.entryEvent } : {})}
            onChange={(filters) => onChange({ ...condition, filters })}
          />
        </>
      )}
      {condition.on === 'eventSinceEntry' && (
        <>
          <EventWithFilters
            event={condition.event}
            filters={condition.filters}
            onChange={(event, filters) => {
              const { filters: _old, ...rest } = condition;
              onChange({ ...rest, event, ...(filters?.length ? { filters } : {}) });
            }}
          />
          <Field label="At least (times)">
            <input
              type="number"
              min={1}
              value={condition.count ?? 1}
              onChange={(e) =>
                onChange({ ...condition, count: Math.max(1, Number(e.target.value)) })
              }
            />
          </Field>
        </>
      )}
    </>
  );
}
