/**
 * MongoDB-protocol servers refuse field names containing '.' or starting with '$' (FerretDB always;
 * MongoDB in most operators). Event names, properties and traits come from customers' apps and may hold
 * either, so stored documents encode them with look-alike full-width characters and decode on read.
 */
const DOT = '\uFF0E';
const DOLLAR = '\uFF04';

function encodeKey(key: string): string {
  let out = key.includes('.') ? key.split('.').join(DOT) : key;
  if (out.startsWith('$')) out = DOLLAR + out.slice(1);
  return out;
}

function decodeKey(key: string): string {
  let out = key.includes(DOT) ? key.split(DOT).join('.') : key;
  if (out.startsWith(DOLLAR)) out = '$' + out.slice(1);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // Any realm's Object.prototype (jest and vm contexts have their own), but no class instances.
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function mapKeys(value: unknown, fn: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapKeys(item, fn));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[fn(key)] = mapKeys(inner, fn);
  return out;
}

export function encodeDocumentKeys<T>(value: T): T {
  return mapKeys(value, encodeKey) as T;
}

export function decodeDocumentKeys<T>(value: T): T {
  return mapKeys(value, decodeKey) as T;
}
