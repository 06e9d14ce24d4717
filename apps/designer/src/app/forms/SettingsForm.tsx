import type { JourneyProblem, JourneySettings } from '@cairn/core';
import { DEFAULT_HOLDOUT_WINDOW } from '@cairn/core';
import { DurationPicker, Field, Select } from './inputs.js';
import { fromLocalInput, toLocalInput } from './entry-dates.js';

/** Journey-wide settings, shown when no step is selected. */
export function SettingsForm({
  settings,
  onChange,
  issues = [],
}: {
  settings: JourneySettings;
  onChange: (s: JourneySettings, field: string) => void;
  /** The journey's problems; those of the settings show beside their field. */
  issues?: JourneyProblem[];
}) {
  const r = settings.reentry;
  const setEntryDate = (field: 'entryStartsAt' | 'entryEndsAt', value: string) => {
    const { [field]: _old, ...rest } = settings;
    const iso = fromLocalInput(value);
    onChange(iso === undefined ? rest : { ...rest, [field]: iso }, field);
  };
  const endProblem = issues.find((p) => p.path === 'settings.entryEndsAt');
  return (
    <aside className="inspector" data-testid="inspector">
      <header>
        <div className="eyebrow">Journey settings</div>
        <p className="muted small">Select a step on the canvas to edit it.</p>
      </header>
      <div className="inspector-body">
        <Field label="Can a contact enter again?">
          <Select
            value={r.policy}
            options={[
              { value: 'never', label: 'Never' },
              { value: 'afterExit', label: 'After leaving' },
              { value: 'afterCooldown', label: 'After a cooldown' },
            ]}
            onChange={(policy) =>
              onChange(
                {
                  ...settings,
                  reentry:
                    policy === 'afterCooldown'
                      ? { policy, cooldown: { amount: 30, unit: 'days' } }
                      : { policy },
                },
                'reentry',
              )
            }
          />
        </Field>
        {r.policy === 'afterCooldown' && (
          <Field label="Cooldown">
            <DurationPicker
              value={r.cooldown}
              onChange={(cooldown) =>
                onChange(
                  { ...settings, reentry: { policy: 'afterCooldown', cooldown } },
                  'reentry.cooldown',
                )
              }
            />
          </Field>
        )}
        <label className="inline">
          <input
            type="checkbox"
            checked={settings.exitOnSegmentExit}
            onChange={(e) =>
              onChange({ ...settings, exitOnSegmentExit: e.target.checked }, 'exitOnSegmentExit')
            }
          />
          Leave the journey when they leave the trigger segment
        </label>
        <Field label="Holdout (% kept out as a control group)">
          <input
            type="number"
            min={0}
            max={100}
            value={settings.holdoutPercent}
            onChange={(e) =>
              onChange(
                { ...settings, holdoutPercent: Math.min(100, Math.max(0, Number(e.target.value))) },
                'holdoutPercent',
              )
            }
          />
        </Field>
        {settings.holdoutPercent > 0 && (
          <Field
            label="Watch the holdout for the goals during"
            hint="Their conversions are compared with the journey's in the stats."
          >
            <DurationPicker
              testId="holdout-window"
              value={settings.holdoutWindow ?? DEFAULT_HOLDOUT_WINDOW}
              onChange={(holdoutWindow) =>
                onChange({ ...settings, holdoutWindow }, 'holdoutWindow')
              }
            />
          </Field>
        )}
        <Field label="Enrollment limit" hint="Empty = no limit.">
          <input
            type="number"
            min={1}
            value={settings.enrollmentLimit ?? ''}
            onChange={(e) => {
              const { enrollmentLimit: _old, ...rest } = settings;
              onChange(
                e.target.value ? { ...rest, enrollmentLimit: Number(e.target.value) } : rest,
                'enrollmentLimit',
              );
            }}
          />
        </Field>
        <Field
          label="Contacts can enter from"
          hint="Empty = as soon as it is published. In your browser's time zone."
        >
          <input
            type="datetime-local"
            data-testid="entry-starts-at"
            value={toLocalInput(settings.entryStartsAt)}
            onChange={(e) => setEntryDate('entryStartsAt', e.target.value)}
          />
        </Field>
        <Field
          label="No new contacts from"
          hint="Empty = no end. Contacts already inside carry on to the end of the journey."
        >
          <input
            type="datetime-local"
            data-testid="entry-ends-at"
            value={toLocalInput(settings.entryEndsAt)}
            onChange={(e) => setEntryDate('entryEndsAt', e.target.value)}
          />
        </Field>
        {endProblem && (
          <p className="field-error" data-testid="entry-dates-problem" title={endProblem.message}>
            “No new contacts from” must be after “Contacts can enter from”: move it later, or the
            start earlier.
          </p>
        )}
      </div>
    </aside>
  );
}
