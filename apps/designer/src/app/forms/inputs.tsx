import { EventPropertyInput } from './EventNameInput.js';
import { parseLooseValue } from './values.js';
import {
  PROPERTY_FILTER_OPERATORS,
  TIME_UNITS,
  type Duration,
  type DurationUnit,
  type JourneyPropertyFilter as PropertyFilter,
} from '@cairn/core';

/** "3 days": a number and a unit, never a raw millisecond count. */
export function DurationPicker({
  value,
  onChange,
  testId,
  allowNegative = false,
}: {
  value: Duration;
  onChange: (d: Duration) => void;
  testId?: string;
  allowNegative?: boolean;
}) {
  return (
    <span className="duration-picker" data-testid={testId}>
      <input
        type="number"
        min={allowNegative ? undefined : 1}
        step={1}
        value={Number.isFinite(value.amount) ? value.amount : ''}
        onChange={(e) =>
          onChange({
            ...value,
            amount: e.target.value === '' ? NaN : Math.trunc(Number(e.target.value)),
          })
        }
        aria-label="amount"
      />
      <select
        value={value.unit}
        onChange={(e) => onChange({ ...value, unit: e.target.value as DurationUnit })}
        aria-label="unit"
      >
        {TIME_UNITS.map((u) => (
          <option key={u} value={u}>
            {u}
          </option>
        ))}
      </select>
    </span>
  );
}

export function Field({
  label,
  children,
  hint,
}: {
  label: string;
  children: React.ReactNode;
  hint?: string;
}) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="hint">{hint}</span>}
    </label>
  );
}

export function TextInput({
  value,
  onChange,
  placeholder,
  list,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  list?: string;
  testId?: string;
}) {
  return (
    <input
      value={value}
      placeholder={placeholder}
      list={list}
      data-testid={testId}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

export function Select<T extends string>({
  value,
  options,
  onChange,
  testId,
}: {
  value: T;
  options: readonly (T | { value: T; label: string })[];
  onChange: (v: T) => void;
  testId?: string;
}) {
  return (
    <select value={value} data-testid={testId} onChange={(e) => onChange(e.target.value as T)}>
      {options.map((o) => {
        const opt = typeof o === 'string' ? { value: o, label: o } : o;
        return (
          <option key={opt.value} value={opt.value}>
            {opt.label}
          </option>
        );
      })}
    </select>
  );
}

export { parseLooseValue } from './values.js';

/** Property filters on an event (journey language: `path`, `operator`, `value`). */
export function FiltersEditor({
  filters,
  onChange,
  event,
}: {
  filters: PropertyFilter[];
  onChange: (f: PropertyFilter[]) => void;
  /** The event filtered, whose known properties are offered. */
  event?: string;
}) {
  const set = (i: number, f: PropertyFilter) => onChange(filters.map((x, j) => (j === i ? f : x)));
  return (
    <div className="filters">
      {filters.map((f, i) => (
        <div className="row" key={i}>
          <EventPropertyInput
            event={event}
            value={f.path}
            onChange={(path) => set(i, { ...f, path })}
            testId={`filter-${i}-property`}
          />
          <Select
            value={f.operator}
            options={PROPERTY_FILTER_OPERATORS}
            onChange={(operator) => set(i, { ...f, operator })}
          />
          {f.operator !== 'exists' && (
            <input
              placeholder={f.operator === 'in' ? 'a, b, c' : 'value'}
              value={
                Array.isArray(f.value)
                  ? f.value.join(', ')
                  : f.value === undefined
                    ? ''
                    : String(f.value)
              }
              onChange={(e) =>
                set(i, {
                  ...f,
                  value:
                    f.operator === 'in'
                      ? e.target.value.split(',').map((v) => parseLooseValue(v.trim()))
                      : parseLooseValue(e.target.value),
                })
              }
            />
          )}
          <button
            className="icon"
            title="Remove filter"
            onClick={() => onChange(filters.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        className="link"
        onClick={() => onChange([...filters, { path: '', operator: 'eq', value: '' }])}
      >
        + Add filter
      </button>
    </div>
  );
}
