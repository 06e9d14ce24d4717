import type { SegmentCondition, ValueOperator as TraitOperator } from '@cairn/core';
import { NUMBER_OPERATORS } from '@cairn/core';
import { CONDITION_TYPE_LABELS, OPERATOR_LABELS } from '../labels.js';
import type { ConditionTypeName } from '../labels.js';
import { DurationPicker, Select } from '../inputs.js';
import { SegmentPicker } from '../SegmentPicker.js';
import { EventNameInput, EventPropertyInput } from '../EventNameInput.js';
import { EventFields } from './EventFields.js';
import {
  AFFINITY_METRICS,
  AGGREGATES,
  TRAIT_OPERATORS,
  defaultValueFor,
  metricOptions,
  newCondition,
} from './model.js';
import type { ConditionPickers } from './model.js';
import { ValueInput } from './ValueInput.js';

/** One condition: its type, then the fields that type needs. */
export function ConditionRow({
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
      {c.type === 'event' && <EventFields c={c} set={set} testId={testId} />}
      {c.type === 'eventAggregate' && (
        <>
          <Select
            value={str('aggregate') as (typeof AGGREGATES)[number]}
            options={AGGREGATES}
            onChange={(aggregate) => set({ aggregate })}
          />
          <span className="muted">of</span>
          <EventPropertyInput
            placeholder="property"
            event={str('event') || undefined}
            value={str('property')}
            onChange={(property) => set({ property })}
          />
          <span className="muted">in</span>
          <EventNameInput
            placeholder="event"
            value={str('event')}
            onChange={(event) => set({ event })}
            testId={`${testId}-event`}
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
