/** A validation problem, with the field path written the way a developer would type it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** ['conditions', 1, 'window', 'amount'] → 'conditions[1].window.amount' */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function joinIssuePath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  const rest = formatIssuePath(path);
  if (prefix === '') return rest;
  if (rest === '') return prefix;
  return rest.startsWith('[') ? `${prefix}${rest}` : `${prefix}.${rest}`;
}

/**
 * The path of the first value nested deeper than `maxDepth` objects/arrays, or undefined. Walks with an
 * explicit stack, so a hostile payload nested a hundred thousand levels deep cannot overflow the call stack.
 * Storage and validators recurse, so a depth limit keeps a pathological document from reaching them.
 */
export function findTooDeep(value: unknown, maxDepth: number): (string | number)[] | undefined {
  // Entries point at their parent, so the path is only built for the one value that is too deep.
  interface Entry {
    value: unknown;
    depth: number;
    key?: string | number;
    parent?: Entry;
  }
  const stack: Entry[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const current = entry.value;
    if (current === null || typeof current !== 'object') continue;
    if (entry.depth >= maxDepth) {
      const path: (string | number)[] = [];
      for (let at: Entry | undefined = entry; at?.key !== undefined; at = at.parent)
        path.unshift(at.key);
      return path;
    }
    const depth = entry.depth + 1;
    if (Array.isArray(current))
      current.forEach((item, index) =>
        stack.push({ value: item, depth, key: index, parent: entry }),
      );
    else
      for (const [key, item] of Object.entries(current))
        stack.push({ value: item, depth, key, parent: entry });
  }
  return undefined;
}

/** A FieldIssue for a value nested too deeply, naming where (shortened: the path itself may be huge). */
export function tooDeepIssue(
  value: unknown,
  maxDepth: number,
  prefix = '',
): FieldIssue | undefined {
  const path = findTooDeep(value, maxDepth);
  if (!path) return undefined;
  return {
    path: joinIssuePath(prefix, path.slice(0, maxDepth)) || '(body)',
    message: `nests deeper than ${maxDepth} levels of objects and arrays; flatten it`,
  };
}

/**
 * The first value JSON can carry but storage cannot keep as sent: a number beyond double range (JSON.parse
 * turns 1e309 into Infinity, which the database refuses) or an own `__proto__` key (JavaScript objects
 * treat it as the prototype, so validators drop it). Walks with an explicit stack, like findTooDeep.
 */
export function unstorableIssue(value: unknown, prefix = ''): FieldIssue | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'number' && !Number.isFinite(current)) {
      return {
        path: joinIssuePath(prefix, path) || '(body)',
        message:
          'is beyond the range of a number (about ±1.8e308); send a smaller number, or the figure as a string',
      };
    }
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        stack.push({ value: current[i], path: [...path, i] });
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(current, '__proto__')) {
      return {
        path: joinIssuePath(prefix, [...path, '__proto__']),
        message:
          "'__proto__' cannot be kept as a key (JavaScript reads it as an object's prototype); rename it",
      };
    }
    const entries = Object.entries(current);
    for (let i = entries.length - 1; i >= 0; i--)
      stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
  }
  return undefined;
}
