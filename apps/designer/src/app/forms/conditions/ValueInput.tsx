import type { ValueOperator as TraitOperator } from '@cairn/core';
import { DurationPicker, parseLooseValue } from '../inputs.js';

/** The value box for a trait operator: none, a duration, a list, a number, a date or free text. */
export function ValueInput({
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
