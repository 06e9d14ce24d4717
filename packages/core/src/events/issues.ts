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
