import type { MissingDate, WaitUntil } from '@cairn/core';
import { PROFILE_PATHS } from '@cairn/core';
import { DurationPicker, Field, Select, TextInput } from '../inputs.js';

/** The profile's own dates, offered as the marketer types (a trait holding a date is written `traits.<name>`). */
const PROFILE_DATES = PROFILE_PATHS.filter((p) => p.kind === 'date' && !p.path.includes('*')).map(
  (p) => p.path,
);

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export function WaitUntilForm({
  until,
  onChange,
}: {
  until: WaitUntil;
  onChange: (u: WaitUntil) => void;
}) {
  return (
    <>
      <Field label="Wait until">
        <Select
          value={until.type}
          options={[
            { value: 'timeOfDay', label: 'a time of day' },
            { value: 'datetime', label: 'a date and time' },
            { value: 'profileDate', label: 'a date on the profile' },
          ]}
          onChange={(type) =>
            onChange(
              type === 'timeOfDay'
                ? { type, time: '09:00' }
                : type === 'datetime'
                  ? {
                      type,
                      at: new Date(Date.now() + 86_400_000).toISOString().slice(0, 16) + ':00Z',
                    }
                  : { type, field: '', offset: { amount: 0, unit: 'days' } },
            )
          }
        />
      </Field>
      {until.type === 'timeOfDay' && (
        <>
          <Field label="Time">
            <input
              type="time"
              value={until.time}
              onChange={(e) => onChange({ ...until, time: e.target.value })}
            />
          </Field>
          <Field label="On" hint="No day chosen = any day.">
            <div className="weekdays">
              {WEEKDAY_NAMES.map((name, i) => {
                const day = i + 1;
                const on = until.weekdays?.includes(day) ?? false;
                return (
                  <button
                    key={day}
                    className={on ? 'chip on' : 'chip'}
                    onClick={() => {
                      const days = on
                        ? (until.weekdays ?? []).filter((d) => d !== day)
                        : [...(until.weekdays ?? []), day].sort();
                      const { weekdays: _old, ...rest } = until;
                      onChange(days.length ? { ...rest, weekdays: days } : rest);
                    }}
                  >
                    {name}
                  </button>
                );
              })}
            </div>
          </Field>
          <Field label="Time zone when the contact has none">
            <TextInput
              value={until.defaultTimezone ?? ''}
              placeholder="e.g. Europe/Paris"
              onChange={(tz) => {
                const { defaultTimezone: _old, ...rest } = until;
                onChange(tz ? { ...rest, defaultTimezone: tz } : rest);
              }}
            />
          </Field>
        </>
      )}
      {until.type === 'datetime' && (
        <Field label="At (ISO, UTC)">
          <TextInput
            value={until.at}
            onChange={(at) => onChange({ ...until, at })}
            placeholder="2025-12-24T09:00:00Z"
          />
        </Field>
      )}
      {until.type === 'profileDate' && (
        <>
          <Field label="Profile date">
            <TextInput
              value={until.field}
              list="cairn-profile-dates"
              placeholder="e.g. purchases.predictedNextOrderAt"
              onChange={(field) => onChange({ ...until, field })}
              testId="profile-date-field"
            />
            <datalist id="cairn-profile-dates">
              {PROFILE_DATES.map((path) => (
                <option key={path} value={path} />
              ))}
            </datalist>
          </Field>
          <Field label="Shift" hint="Negative = before the date (e.g. −3 days).">
            <DurationPicker
              allowNegative
              value={until.offset}
              onChange={(offset) => onChange({ ...until, offset })}
            />
          </Field>
          <MissingDateForm
            value={until.ifMissing}
            onChange={(ifMissing) => {
              const { ifMissing: _old, ...rest } = until;
              onChange(ifMissing ? { ...rest, ifMissing } : rest);
            }}
          />
        </>
      )}
    </>
  );
}

/** What a profile-date wait does for a contact without the date (a first-time buyer has no reorder date). */
function MissingDateForm({
  value,
  onChange,
}: {
  value: MissingDate | undefined;
  onChange: (m: MissingDate | undefined) => void;
}) {
  const then = value?.then ?? 'continue';
  return (
    <>
      <Field
        label="If the contact has no such date"
        hint="Wait for the date: looked for again on every event of the contact and every 6 hours."
      >
        <Select
          value={then}
          testId="if-missing"
          options={[
            { value: 'continue', label: 'continue at once' },
            { value: 'fallbackDelay', label: 'wait a set time instead' },
            { value: 'waitForDate', label: 'wait for the date to appear' },
          ]}
          onChange={(next) =>
            onChange(
              next === 'fallbackDelay'
                ? { then: next, delay: { amount: 30, unit: 'days' } }
                : next === 'waitForDate'
                  ? { then: next, timeout: { amount: 90, unit: 'days' } }
                  : undefined,
            )
          }
        />
      </Field>
      {value?.then === 'fallbackDelay' && (
        <Field label="Wait instead">
          <DurationPicker value={value.delay} onChange={(delay) => onChange({ ...value, delay })} />
        </Field>
      )}
      {value?.then === 'waitForDate' && (
        <Field label="Give up and continue after">
          <DurationPicker
            value={value.timeout}
            onChange={(timeout) => onChange({ ...value, timeout })}
          />
        </Field>
      )}
    </>
  );
}
