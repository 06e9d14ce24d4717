import type { ConditionGroup, SegmentCondition } from '@cairn/core';
import {
  EventAggregateConditionSchema,
  NUMBER_OPERATORS,
  STATIC_NUMBER_METRICS,
  TIME_NUMBER_METRICS,
  VALUE_OPERATORS,
} from '@cairn/core';
import type { ValueOperator as TraitOperator } from '@cairn/core';
import { CONDITION_TYPE_LABELS, OPERATOR_LABELS } from './labels.js';
import type { ConditionTypeName } from './labels.js';

const TRAIT_OPERATORS = VALUE_OPERATORS;
const AGGREGATES = EventAggregateConditionSchema.shape.aggregate.options;
const NUMBER_METRICS = [
  ...STATIC_NUMBER_METRICS,
  ...TIME_NUMBER_METRICS,
  'emailOpens',
  'emailClicks',
];
import { DurationPicker, Select, parseLooseValue } from './inputs.js';

type Item = SegmentCondition | ConditionGroup;
const GROUP_LABELS = { all: 'All of', any: 'Any of', none: 'None of' } as const;

export type ConditionPickers = {
  events: string[];
  metrics: string[];
  segments: { id: string; name: string }[];
};

function isGroup(item: Item): item is ConditionGroup {
  return item.type === 'all' || item.type === 'any' || item.type === 'none';
}

export function newCondition(type: ConditionTypeName): SegmentCondition {
  switch (type) {
    case 'trait':
      return { type, field: '', operator: 'eq', value: '' };
    case 'event':
      return { type, check: 'performed', event: '' };
    case 'eventAggregate':
      return {
        type,
        event: '',
        property: '',
        aggregate: 'sum',
        window: { amount: 30, unit: 'days' },
        operator: 'gte',
        value: 0,
      };
    case 'metric':
      return { type, metric: 'orderCount', operator: 'gte', value: 1 };
    case 'segment':
      return { type, membership: 'member', segmentId: '' };
    case 'randomBucket':
      return { type, salt: '', from: 0, to: 50 };
  }
}

/** Nested all/any/none groups of segment conditions, used by the segment builder and profile branches. */
export function ConditionGroupEditor({
  group,
  onChange,
  pickers,
  onRemove,
  path = 'root',
}: {
  group: ConditionGroup;
  onChange: (g: ConditionGroup) => void;
  pickers: ConditionPickers;
  onRemove?: () => void;
  path?: string;
}) {
  const setItem = (i: number, item: Item) =>
    onChange({ ...group, conditions: group.conditions.map((c, j) => (j === i ? item : c)) });
  const removeItem = (i: number) =>
    onChange({ ...group, conditions: group.conditions.filter((_, j) => j !== i) });
  return (
    <div className="condition-group" data-testid={`group-${path}`}>
      <div className="group-head">
        <Select
          value={group.type}
          options={(['all', 'any', 'none'] as const).map((t) => ({
            value: t,
            label: GROUP_LABELS[t],
          }))}
          onChange={(type) => onChange({ ...group, type })}
          testId={`group-type-${path}`}
        />
        <span className="muted">these conditions</span>
        {onRemove && (
          <button className="icon" title="Remove group" onClick={onRemove}>
            ×
          </button>
        )}
      </div>
      {group.conditions.length === 0 && <p className="muted small">No conditions yet.</p>}
      {group.conditions.map((item, i) =>
        isGroup(item) ? (
          <ConditionGroupEditor
            key={i}
            group={item}
            pickers={pickers}
            path={`${path}-${i}`}
            onChange={(g) => setItem(i, g)}
            onRemove={() => removeItem(i)}
          />
        ) : (
          <ConditionRow
            key={i}
            condition={item}
            pickers={pickers}
            testId={`condition-${path}-${i}`}
            onChange={(c) => setItem(i, c)}
            onRemove={() => removeItem(i)}
          />
        ),
      )}
      <div className="group-actions">
        <button
          className="link"
          data-testid={`add-condition-${path}`}
          onClick={() =>
            onChange({ ...group, conditions: [...group.conditions, newCondition('trait')] })
          }
        >
          + Condition
        </button>
        <button
          className="link"
          data-testid={`add-group-${path}`}
          onClick={() =>
            onChange({
              ...group,
              conditions: [...group.conditions, { type: 'any', conditions: [] }],
            })
          }
        >
          + Group
        </button>
      </div>
    </div>
  );
}

function ConditionRow({
  condition,
  onChange,
  onRemove,
  pickers,
  testId,
}: {
  condition: SegmentCondition;
  onChange: (c: SegmentCondition) => void;
  onRemove: () => void;
  pickers: ConditionPickers;
  testId: string;
}) {
  const c = condition as Record<string, unknown> & SegmentCondition;
  const set = (patch: Record<string, unknown>) => {
    const next: Record<string, unknown> = { ...c, ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
    onChange(next as SegmentCondition);
  };
  const str = (k: string) => (typeof c[k] === 'string' ? (c[k] as string) : '');
  const num = (k: string) => (typeof c[k] === 'number' ? (c[k] as number) : 0);
  return (
    <div className="condition-row" data-testid={testId}>
      <Select
        value={c.type as ConditionTypeName}
        options={(Object.keys(CONDITION_TYPE_LABELS) as ConditionTypeName[]).map((t) => ({
          value: t,
          label: CONDITION_TYPE_LABELS[t],
        }))}
        onChange={(t) => onChange(newCondition(t))}
        testId={`${testId}-type`}
      />
      {c.type === 'trait' && (
        <>
          <input
            placeholder="trait, e.g. plan"
            value={str('field')}
            onChange={(e) => set({ field: e.target.value })}
          />
          <Select
            value={c['operator'] as TraitOperator}
            options={TRAIT_OPERATORS.map((o) => ({ value: o, label: OPERATOR_LABELS[o] }))}
            onChange={(operator) => set({ operator, value: defaultValueFor(operator) })}
          />
          <ValueInput
            operator={c['operator'] as TraitOperator}
            value={c['value']}
            onChange={(value) => set({ value })}
          />
        </>
      )}
      {c.type === 'event' && <EventFields c={c} set={set} events={pickers.events} />}
      {c.type === 'eventAggregate' && (
        <>
          <Select
            value={str('aggregate') as (typeof AGGREGATES)[number]}
            options={AGGREGATES}
            onChange={(aggregate) => set({ aggregate })}
          />
          <span className="muted">of</span>
          <input
            placeholder="property"
            value={str('property')}
            onChange={(e) => set({ property: e.target.value })}
          />
          <span className="muted">in</span>
          <input
            placeholder="event"
            list="cairn-events"
            value={str('event')}
            onChange={(e) => set({ event: e.target.value })}
          />
          <span className="muted">over</span>
          <DurationPicker
            value={c['window'] as { amount: number; unit: 'days' }}
            onChange={(window) => set({ window })}
          />
          <Select
            value={str('operator') as (typeof NUMBER_OPERATORS)[number]}
            options={NUMBER_OPERATORS}
            onChange={(operator) => set({ operator })}
          />
          <input
            type="number"
            value={num('value')}
            onChange={(e) => set({ value: Number(e.target.value) })}
          />
        </>
      )}
      {c.type === 'metric' && (
        <>
          <Select
            value={str('metric')}
            options={metricOptions(pickers.metrics, str('metric'))}
            onChange={(metric) => set({ metric })}
          />
          {AFFINITY_METRICS.includes(str('metric')) && (
            <input
              placeholder="affinity (blank: product categories)"
              title="An affinity from Settings, e.g. genre"
              value={str('affinity')}
              onChange={(e) => set({ affinity: e.target.value.trim() || undefined })}
            />
          )}
          {str('metric') === 'categoryAffinity' && (
            <input
              placeholder="value, e.g. crime"
              value={str('category')}
              onChange={(e) => set({ category: e.target.value })}
            />
          )}
          {str('metric') === 'topCategory' ? (
            <>
              <Select
                value={(str('operator') || 'eq') as 'eq' | 'neq'}
                options={['eq', 'neq'] as const}
                onChange={(operator) => set({ operator })}
              />
              <input
                placeholder="e.g. crime"
                value={str('value')}
                onChange={(e) => set({ value: e.target.value })}
              />
            </>
          ) : (
            <>
              <Select
                value={str('operator') as (typeof NUMBER_OPERATORS)[number]}
                options={NUMBER_OPERATORS}
                onChange={(operator) => set({ operator })}
              />
              <input
                type="number"
                value={num('value')}
                onChange={(e) => set({ value: Number(e.target.value) })}
              />
            </>
          )}
        </>
      )}
      {c.type === 'segment' && (
        <>
          <Select
            value={str('membership') as 'member' | 'notMember'}
            options={[
              { value: 'member', label: 'is in' },
              { value: 'notMember', label: 'is not in' },
            ]}
            onChange={(membership) => set({ membership })}
          />
          <SegmentPicker
            value={str('segmentId')}
            segments={pickers.segments}
            onChange={(segmentId) => set({ segmentId })}
          />
        </>
      )}
      {c.type === 'randomBucket' && (
        <>
          <span className="muted">bucket from</span>
          <input
            type="number"
            min={0}
            max={99}
            value={num('from')}
            onChange={(e) => set({ from: Number(e.target.value) })}
          />
          <span className="muted">to</span>
          <input
            type="number"
            min={1}
            max={100}
            value={num('to')}
            onChange={(e) => set({ to: Number(e.target.value) })}
          />
          <input
            placeholder="salt"
            value={str('salt')}
            onChange={(e) => set({ salt: e.target.value })}
          />
        </>
      )}
      <button className="icon" title="Remove condition" onClick={onRemove}>
        ×
      </button>
    </div>
  );
}

/** Metrics that read an affinity: product categories, or a named one from the workspace settings. */
const AFFINITY_METRICS = ['topCategory', 'categoryAffinity'];

function metricOptions(fromApi: string[], current: string): string[] {
  const all = new Set([...(fromApi.length ? fromApi : NUMBER_METRICS), current]);
  return [...all].filter(Boolean);
}

function defaultValueFor(operator: TraitOperator): unknown {
  if (operator === 'exists' || operator === 'notExists') return undefined;
  if (operator === 'withinLast' || operator === 'moreThanAgo') return { amount: 7, unit: 'days' };
  if (operator === 'in' || operator === 'notIn') return [];
  if (['gt', 'gte', 'lt', 'lte'].includes(operator)) return 0;
  return '';
}

function ValueInput({
  operator,
  value,
  onChange,
}: {
  operator: TraitOperator;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  if (operator === 'exists' || operator === 'notExists') return null;
  if (operator === 'withinLast' || operator === 'moreThanAgo')
    return (
      <DurationPicker
        value={(value as { amount: number; unit: 'days' }) ?? { amount: 7, unit: 'days' }}
        onChange={onChange}
      />
    );
  if (operator === 'in' || operator === 'notIn')
    return (
      <input
        placeholder="a, b, c"
        value={Array.isArray(value) ? value.join(', ') : ''}
        onChange={(e) =>
          onChange(
            e.target.value
              .split(',')
              .map((v) => v.trim())
              .filter(Boolean)
              .map(parseLooseValue),
          )
        }
      />
    );
  if (['gt', 'gte', 'lt', 'lte'].includes(operator))
    return (
      <input
        type="number"
        value={typeof value === 'number' ? value : 0}
        onChange={(e) => onChange(Number(e.target.value))}
      />
    );
  if (operator === 'before' || operator === 'after')
    return (
      <input
        placeholder="2025-01-31T00:00:00Z"
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  return (
    <input
      placeholder="value"
      value={value === undefined || value === null ? '' : String(value)}
      onChange={(e) =>
        onChange(
          operator === 'contains' || operator === 'notContains'
            ? e.target.value
            : parseLooseValue(e.target.value),
        )
      }
    />
  );
}

function EventFields({
  c,
  set,
  events,
}: {
  c: Record<string, unknown>;
  set: (p: Record<string, unknown>) => void;
  events: string[];
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
      <input
        placeholder="event"
        list="cairn-events"
        value={typeof c['event'] === 'string' ? c['event'] : ''}
        onChange={(e) => set({ event: e.target.value })}
      />
      <datalist id="cairn-events">
        {events.map((e) => (
          <option key={e} value={e} />
        ))}
      </datalist>
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

export function SegmentPicker({
  value,
  segments,
  onChange,
  testId,
}: {
  value: string;
  segments: { id: string; name: string }[];
  onChange: (id: string) => void;
  testId?: string;
}) {
  const known = segments.some((s) => s.id === value);
  return (
    <select value={value} data-testid={testId} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose a segment…</option>
      {!known && value && <option value={value}>{value}</option>}
      {segments.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </select>
  );
}
