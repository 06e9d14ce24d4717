import { EventNameInput } from '../EventNameInput.js';
import { DurationPicker, Select } from '../inputs.js';

/** The fields of an event condition: performed or not, first or last, in which window, how often. */
export function EventFields({
  c,
  set,
  testId,
}: {
  c: Record<string, unknown>;
  set: (p: Record<string, unknown>) => void;
  testId?: string;
}) {
  const check = c['check'] as 'performed' | 'notPerformed' | 'firstPerformed' | 'lastPerformed';
  const window = c['window'] as { amount: number; unit: 'days' } | undefined;
  return (
    <>
      <Select
        value={check}
        options={[
          { value: 'performed', label: 'did' },
          { value: 'notPerformed', label: 'did not do' },
          { value: 'firstPerformed', label: 'first did' },
          { value: 'lastPerformed', label: 'last did' },
        ]}
        onChange={(next) =>
          set(
            next === 'firstPerformed' || next === 'lastPerformed'
              ? {
                  check: next,
                  operator: 'withinLast',
                  value: { amount: 7, unit: 'days' },
                  window: undefined,
                  count: undefined,
                  where: undefined,
                }
              : { check: next, operator: undefined, value: undefined, count: undefined },
          )
        }
      />
      <EventNameInput
        placeholder="event"
        value={typeof c['event'] === 'string' ? c['event'] : ''}
        onChange={(event) => set({ event })}
        testId={testId && `${testId}-event`}
      />
      {(check === 'performed' || check === 'notPerformed') && (
        <>
          {check === 'performed' && (
            <label className="inline">
              at least
              <input
                type="number"
                min={1}
                className="narrow"
                value={(c['count'] as { value: number } | undefined)?.value ?? 1}
                onChange={(e) =>
                  set({
                    count:
                      Number(e.target.value) > 1
                        ? { operator: 'atLeast', value: Number(e.target.value) }
                        : undefined,
                  })
                }
              />
              times
            </label>
          )}
          <label className="inline">
            <input
              type="checkbox"
              checked={!!window}
              onChange={(e) =>
                set({ window: e.target.checked ? { amount: 30, unit: 'days' } : undefined })
              }
            />
            in the last
          </label>
          {window && <DurationPicker value={window} onChange={(w) => set({ window: w })} />}
        </>
      )}
      {(check === 'firstPerformed' || check === 'lastPerformed') && (
        <>
          <Select
            value={c['operator'] as 'withinLast' | 'moreThanAgo'}
            options={[
              { value: 'withinLast', label: 'within the last' },
              { value: 'moreThanAgo', label: 'more than … ago' },
            ]}
            onChange={(operator) => set({ operator })}
          />
          <DurationPicker
            value={(c['value'] as { amount: number; unit: 'days' }) ?? { amount: 7, unit: 'days' }}
            onChange={(value) => set({ value })}
          />
        </>
      )}
    </>
  );
}
