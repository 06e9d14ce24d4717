import type { PropertyFilter } from './graph.js';

/** An event as the journey layer sees it; `properties` is what filters read. */
export type JourneyEvent = {
  event: string;
  properties?: Record<string, unknown>;
  /** ISO time the event happened. */
  timestamp?: string;
};

/** Reads a dot path such as `order.items.0.sku`; undefined when any step is missing. */
export function readPath(source: unknown, path: string): unknown {
  let current: unknown = source;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

function compare(actual: unknown, expected: unknown): number | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') return actual - expected;
  if (typeof actual === 'string' && typeof expected === 'string') {
    // ISO dates with different offsets only order correctly as instants
    if (ISO_DATE.test(actual) && ISO_DATE.test(expected))
      return Date.parse(actual) - Date.parse(expected);
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  }
  return undefined;
}

export function matchesFilter(properties: unknown, filter: PropertyFilter): boolean {
  const actual = readPath(properties, filter.path);
  const expected = filter.value;
  switch (filter.operator) {
    case 'exists':
      return (
        (actual !== undefined && actual !== null) ===
        (expected === undefined ? true : Boolean(expected))
      );
    case 'eq':
      return actual === expected;
    case 'neq':
      return actual !== expected;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const c = compare(actual, expected);
      if (c === undefined) return false;
      if (filter.operator === 'gt') return c > 0;
      if (filter.operator === 'gte') return c >= 0;
      if (filter.operator === 'lt') return c < 0;
      return c <= 0;
    }
    case 'contains':
      if (typeof actual === 'string' && typeof expected === 'string')
        return actual.includes(expected);
      if (Array.isArray(actual)) return actual.includes(expected);
      return false;
    case 'in':
      return Array.isArray(expected) && expected.includes(actual);
  }
}

export function matchesFilters(
  properties: unknown,
  filters: PropertyFilter[] | undefined,
): boolean {
  return (filters ?? []).every((f) => matchesFilter(properties, f));
}

export function matchesEvent(
  event: JourneyEvent,
  name: string,
  filters?: PropertyFilter[],
): boolean {
  return event.event === name && matchesFilters(event.properties ?? {}, filters);
}
