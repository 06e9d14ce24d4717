const MAX_LENGTH = 80;
const NESTING_SHOWN = 2;

/**
 * A trait or event property as a marketer reads it on the contact page: a list as its items, an object
 * as its values, nothing as JSON; deep nesting and long text are cut short (the cell's title holds the JSON).
 */
export function showValue(value: unknown): string {
  const text = show(value, 0);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

function show(value: unknown, depth: number): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'object') return String(value);
  if (depth >= NESTING_SHOWN) return '…';
  if (Array.isArray(value)) return value.map((v) => show(v, depth + 1)).join(', ');
  return Object.values(value)
    .map((v) => show(v, depth + 1))
    .join(' · ');
}

/** The exact value behind a shortened one, for a hover title; plain values need none. */
export function valueTitle(value: unknown): string | undefined {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : undefined;
}
