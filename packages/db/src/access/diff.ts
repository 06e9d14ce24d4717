import type { AuditChange } from './models.js';

export interface DiffOptions {
  /** Paths (and everything under them) whose values are shown as "[redacted]", e.g. `values` of a credential. */
  redact?: string[];
  /** At most this many changes; the rest are counted in a final `…` entry. */
  maxChanges?: number;
  /** Longer leaf values (as JSON) are cut to this many characters. */
  maxValueLength?: number;
}

export const REDACTED = '[redacted]';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Arrays of objects that all carry a unique string `id` (journey nodes and edges) are matched by id, not index. */
function idsOf(items: unknown[]): string[] | undefined {
  const ids = items.map((item) =>
    isPlainObject(item) && typeof item.id === 'string' ? item.id : undefined,
  );
  if (ids.some((id) => id === undefined) || new Set(ids).size !== ids.length) return undefined;
  return ids as string[];
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * A compact list of what changed between two stored documents: one entry per changed leaf, each
 * with its path and both values. Added fields have `before: null`, removed ones `after: null`.
 */
export function diffDocuments(
  before: unknown,
  after: unknown,
  options: DiffOptions = {},
): AuditChange[] {
  const maxChanges = options.maxChanges ?? 100;
  const maxValueLength = options.maxValueLength ?? 500;
  const redact = options.redact ?? [];
  const changes: AuditChange[] = [];
  let dropped = 0;

  const isRedacted = (path: string) =>
    redact.some((r) => path === r || path.startsWith(`${r}.`) || path.startsWith(`${r}[`));
  const shown = (value: unknown, path: string): unknown => {
    if (value === undefined || value === null) return null;
    if (isRedacted(path)) return REDACTED;
    const json = JSON.stringify(value);
    if (json.length <= maxValueLength) return value;
    return typeof value === 'string'
      ? `${value.slice(0, maxValueLength)}…`
      : `${json.slice(0, maxValueLength)}…`;
  };
  const record = (path: string, a: unknown, b: unknown) => {
    if (changes.length >= maxChanges) return void dropped++;
    changes.push({ path: path || '(document)', before: shown(a, path), after: shown(b, path) });
  };

  const walk = (a: unknown, b: unknown, path: string) => {
    if (a === b) return;
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))];
      for (const key of keys) walk(a[key], b[key], join(path, key));
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      const idsA = idsOf(a);
      const idsB = idsOf(b);
      if (idsA && idsB && (a.length > 0 || b.length > 0)) {
        const byId = (items: unknown[], ids: string[]) =>
          new Map(ids.map((id, i) => [id, items[i]]));
        const [mapA, mapB] = [byId(a, idsA), byId(b, idsB)];
        for (const id of [...idsA, ...idsB.filter((id) => !mapA.has(id))])
          walk(mapA.get(id), mapB.get(id), `${path}[id=${id}]`);
        return;
      }
      for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`);
      return;
    }
    // A leaf, or a change of shape (object ↔ array ↔ scalar, added or removed subtree).
    if ((a === undefined || a === null) && (b === undefined || b === null)) return;
    record(path, a, b);
  };

  // Dates, ObjectIds and the like compare by their JSON form, as an API client would see them.
  const normalize = (value: unknown): unknown =>
    value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
  walk(normalize(before), normalize(after), '');
  if (dropped)
    changes.push({ path: '…', before: null, after: `${dropped} more change(s) not shown` });
  return changes;
}
