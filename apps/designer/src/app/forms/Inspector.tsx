import Form from '@rjsf/core';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import type {
  BranchCondition,
  JourneyNode,
  JourneySettings,
  JourneyPropertyFilter as PropertyFilter,
  JourneyProblem,
  JourneyTrigger as Trigger,
  MissingDate,
  WaitUntil,
} from '@cairn/core';
import { DEFAULT_HOLDOUT_WINDOW, DEFAULT_MAX_EVENT_AGE, PROFILE_PATHS } from '@cairn/core';
import { KIND_TITLES } from '../../graph/summary.js';
import type { DesignerCatalogEntry } from '../catalog.js';
import { ConditionGroupEditor, SegmentPicker } from './ConditionGroupEditor.js';
import type { ConditionPickers } from './ConditionGroupEditor.js';
import { messageTemplateField } from '../templates.js';
import { cspSafeValidator } from './json-schema-validator.js';
import { MessageStepForm } from './MessageStepForm.js';
import { DurationPicker, Field, FiltersEditor, Select, TextInput } from './inputs.js';
import { fromLocalInput, toLocalInput } from './entry-dates.js';

/** The profile's own dates, offered as the marketer types (a trait holding a date is written `traits.<name>`). */
const PROFILE_DATES = PROFILE_PATHS.filter((p) => p.kind === 'date' && !p.path.includes('*')).map(
  (p) => p.path,
);

type Props = {
  node: JourneyNode;
  onChange: (node: JourneyNode, field: string) => void;
  pickers: ConditionPickers;
  issues: JourneyProblem[];
  actionEntry?: DesignerCatalogEntry;
};

/** Right-hand panel: a purpose-built form per node kind; actions get a form drawn from their manifest. */
export function Inspector({ node, onChange, pickers, issues, actionEntry }: Props) {
  const set = (patch: Partial<JourneyNode>, field: string) =>
    onChange({ ...node, ...patch } as JourneyNode, field);
  return (
    <aside className="inspector" data-testid="inspector">
      <header>
        <div className="eyebrow">
          {node.kind === 'action'
            ? (actionEntry?.manifest.title ?? node.action.type)
            : KIND_TITLES[node.kind]}
        </div>
        <input
          className="title-input"
          placeholder="Name this step"
          value={node.label ?? ''}
          data-testid="inspector-label"
          onChange={(e) => set({ label: e.target.value || undefined }, 'label')}
        />
        <div className="muted small">id: {node.id}</div>
      </header>
      {issues.length > 0 && (
        <ul className="issues" data-testid="inspector-issues">
          {issues.map((i, k) => (
            <li key={k}>
              <code>{i.path}</code>: {i.message}
            </li>
          ))}
        </ul>
      )}
      <div className="inspector-body">
        <KindForm node={node} set={set} pickers={pickers} actionEntry={actionEntry} />
      </div>
    </aside>
  );
}

function KindForm({
  node,
  set,
  pickers,
  actionEntry,
}: {
  node: JourneyNode;
  set: (patch: Partial<JourneyNode>, field: string) => void;
  pickers: ConditionPickers;
  actionEntry?: DesignerCatalogEntry;
}) {
  switch (node.kind) {
    case 'trigger':
      return (
        <TriggerForm
          trigger={node.trigger}
          onChange={(trigger) => set({ trigger }, 'trigger')}
          pickers={pickers}
        />
      );
    case 'delay':
      return (
        <Field label="Wait for">
          <DurationPicker
            testId="delay-duration"
            value={node.duration}
            onChange={(duration) => set({ duration }, 'duration')}
          />
        </Field>
      );
    case 'waitUntil':
      return <WaitUntilForm until={node.until} onChange={(until) => set({ until }, 'until')} />;
    case 'waitFor':
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
              events={pickers.events}
              onChange={(event, filters) =>
                set(
                  { for: { type: 'event', event, ...(filters?.length ? { filters } : {}) } },
                  'for',
                )
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
            <DurationPicker
              value={node.timeout}
              onChange={(timeout) => set({ timeout }, 'timeout')}
            />
          </Field>
        </>
      );
    case 'branch':
      return (
        <BranchConditionForm
          condition={node.condition}
          pickers={pickers}
          onChange={(condition) => set({ condition }, 'condition')}
        />
      );
    case 'goal':
      return (
        <>
          <p className="muted small">
            Contacts who meet the goal count as converted. Leave the output unwired to end their
            journey there.
          </p>
          <BranchConditionForm
            condition={node.condition}
            pickers={pickers}
            onChange={(condition) => set({ condition }, 'condition')}
          />
        </>
      );
    case 'multiSplit':
      return (
        <>
          {node.branches.map((b, i) => (
            <fieldset key={b.id} className="sub-card">
              <div className="row">
                <input
                  value={b.label}
                  onChange={(e) =>
                    set(
                      {
                        branches: node.branches.map((x, j) =>
                          j === i ? { ...x, label: e.target.value } : x,
                        ),
                      },
                      `branches.${b.id}.label`,
                    )
                  }
                />
                <button
                  className="icon"
                  title="Remove path"
                  onClick={() =>
                    set({ branches: node.branches.filter((_, j) => j !== i) }, 'branches')
                  }
                >
                  ×
                </button>
              </div>
              <BranchConditionForm
                condition={b.condition}
                pickers={pickers}
                onChange={(condition) =>
                  set(
                    { branches: node.branches.map((x, j) => (j === i ? { ...x, condition } : x)) },
                    `branches.${b.id}`,
                  )
                }
              />
            </fieldset>
          ))}
          <button
            className="link"
            onClick={() => {
              const id = freshLocalId(
                'path',
                node.branches.map((b) => b.id),
              );
              set(
                {
                  branches: [
                    ...node.branches,
                    {
                      id,
                      label: `Path ${node.branches.length + 1}`,
                      condition: { on: 'profile', condition: { type: 'all', conditions: [] } },
                    },
                  ],
                },
                'branches',
              );
            }}
          >
            + Add path
          </button>
          <p className="muted small">
            Paths are checked top to bottom; the first match wins, otherwise Else.
          </p>
        </>
      );
    case 'randomSplit': {
      const total = node.variants.reduce((s, v) => s + v.weight, 0);
      return (
        <>
          {node.variants.map((v, i) => (
            <div className="row" key={v.id}>
              <input
                value={v.label}
                onChange={(e) =>
                  set(
                    {
                      variants: node.variants.map((x, j) =>
                        j === i ? { ...x, label: e.target.value } : x,
                      ),
                    },
                    `variants.${v.id}.label`,
                  )
                }
              />
              <input
                type="number"
                min={0}
                className="narrow"
                value={v.weight}
                onChange={(e) =>
                  set(
                    {
                      variants: node.variants.map((x, j) =>
                        j === i ? { ...x, weight: Number(e.target.value) } : x,
                      ),
                    },
                    `variants.${v.id}.weight`,
                  )
                }
              />
              <span className="muted">{total > 0 ? Math.round((v.weight / total) * 100) : 0}%</span>
              <button
                className="icon"
                title="Remove variant"
                onClick={() =>
                  set({ variants: node.variants.filter((_, j) => j !== i) }, 'variants')
                }
              >
                ×
              </button>
            </div>
          ))}
          <button
            className="link"
            onClick={() => {
              const id = freshLocalId(
                'variant',
                node.variants.map((v) => v.id),
              );
              set(
                {
                  variants: [
                    ...node.variants,
                    { id, label: String.fromCharCode(65 + node.variants.length), weight: 0 },
                  ],
                },
                'variants',
              );
            }}
          >
            + Add variant
          </button>
        </>
      );
    }
    case 'action':
      if (!actionEntry)
        return (
          <p className="error-box">
            This action ({node.action.type} v{node.action.version}) is not in the catalog.
          </p>
        );
      if (messageTemplateField(actionEntry.manifest.uiHints))
        return (
          <div className="rjsf" data-testid="action-config">
            <MessageStepForm
              schema={actionEntry.manifest.configJsonSchema as RJSFSchema}
              uiSchema={uiSchemaFromHints(actionEntry.manifest.uiHints)}
              field={messageTemplateField(actionEntry.manifest.uiHints) as string}
              config={node.config}
              onChange={(config) => set({ config }, 'config')}
            />
          </div>
        );
      return (
        <div className="rjsf" data-testid="action-config">
          {actionEntry.manifest.description && (
            <p className="muted small">{actionEntry.manifest.description}</p>
          )}
          <Form
            schema={actionEntry.manifest.configJsonSchema as RJSFSchema}
            uiSchema={uiSchemaFromHints(actionEntry.manifest.uiHints)}
            validator={cspSafeValidator}
            formData={node.config}
            liveValidate="onChange"
            showErrorList={false}
            onChange={(e) =>
              set({ config: (e.formData ?? {}) as Record<string, unknown> }, 'config')
            }
          />
        </div>
      );
    case 'exit':
      return <p className="muted">Contacts leave the journey here.</p>;
  }
}

function freshLocalId(prefix: string, taken: string[]): string {
  let n = taken.length + 1;
  while (taken.includes(`${prefix}-${n}`)) n += 1;
  return `${prefix}-${n}`;
}

function EventWithFilters({
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

function TriggerForm({
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
            events={pickers.events}
            onChange={(event, filters) => {
              const { filters: _old, ...rest } = trigger;
              onChange({ ...rest, event, ...(filters?.length ? { filters } : {}) });
            }}
          />
          <Field
            label="One run per"
            hint="Optional property, e.g. order_id: each order gets its own run."
          >
            <TextInput
              value={trigger.key ?? ''}
              placeholder="(one run per contact)"
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

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function WaitUntilForm({
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
        <FiltersEditor
          filters={condition.filters}
          onChange={(filters) => onChange({ ...condition, filters })}
        />
      )}
      {condition.on === 'eventSinceEntry' && (
        <>
          <EventWithFilters
            event={condition.event}
            filters={condition.filters}
            events={pickers.events}
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

/** Action manifests carry neutral hints ({ order, widgets }); rjsf wants its own 'ui:' keys. */
export function uiSchemaFromHints(hints: Record<string, unknown> | undefined): UiSchema {
  const ui: UiSchema = { 'ui:submitButtonOptions': { norender: true } };
  if (Array.isArray(hints?.['order'])) ui['ui:order'] = [...(hints['order'] as string[]), '*'];
  const widgets = hints?.['widgets'];
  if (widgets && typeof widgets === 'object') {
    for (const [field, widget] of Object.entries(widgets as Record<string, string>)) {
      // Long text (HTML bodies, plain-text parts) is easier to write in a textarea.
      if (widget === 'textarea' || widget === 'html-editor')
        ui[field] = {
          'ui:widget': 'textarea',
          'ui:options': { rows: widget === 'html-editor' ? 6 : 3 },
        };
    }
  }
  return ui;
}
