import type { JourneyNode } from '@cairn/core';
import { ConditionGroupEditor } from '../ConditionGroupEditor.js';
import type { ConditionPickers } from '../conditions/model.js';
import { DurationPicker, Field, Select } from '../inputs.js';
import { EventWithFilters } from './EventWithFilters.js';

type WaitForNode = Extract<JourneyNode, { kind: 'waitFor' }>;

/** Waits for an event, or for a condition or segment membership, with a timeout. */
export function WaitForForm({
  node,
  set,
  pickers,
}: {
  node: WaitForNode;
  set: (patch: Partial<WaitForNode>, field: string) => void;
  pickers: ConditionPickers;
}) {
  return (
    <>
      <Field
        label="Wait for"
        hint="A condition (on the profile, or membership of a segment) is checked again each time the contact's profile or segments change."
      >
        <Select
          value={node.for.type}
          options={[
            { value: 'event', label: 'an event' },
            { value: 'condition', label: 'a condition or segment membership' },
          ]}
          onChange={(t) =>
            set(
              {
                for:
                  t === 'event'
                    ? { type: 'event', event: '' }
                    : { type: 'condition', condition: { type: 'all', conditions: [] } },
              },
              'for.type',
            )
          }
        />
      </Field>
      {node.for.type === 'event' ? (
        <EventWithFilters
          event={node.for.event}
          filters={node.for.filters}
          onChange={(event, filters) =>
            set({ for: { type: 'event', event, ...(filters?.length ? { filters } : {}) } }, 'for')
          }
        />
      ) : (
        <ConditionGroupEditor
          group={node.for.condition}
          pickers={pickers}
          onChange={(condition) => set({ for: { type: 'condition', condition } }, 'for')}
        />
      )}
      <Field
        label="Give up after"
        hint="Contacts who never match leave through the Timeout output."
      >
        <DurationPicker value={node.timeout} onChange={(timeout) => set({ timeout }, 'timeout')} />
      </Field>
    </>
  );
}
