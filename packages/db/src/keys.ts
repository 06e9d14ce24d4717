/**
 * MongoDB-protocol servers refuse field names containing '.' or starting with '$' (FerretDB always;
 * MongoDB in most operators). Event names, properties and traits come from customers' apps and may hold
 * either, so stored documents encode them with look-alike full-width characters and decode on read.
 */
const DOT = '\uFF0E';
const DOLLAR = '\uFF04';
/** BSON field names are C strings: a NUL byte cannot be stored at all, so it becomes the visible ␀. */
const NUL = '\u0000';
const NUL_SYMBOL = '\u2400';

/**
 * Keys that are own data in JSON but special in JavaScript: `__proto__` would set an object's prototype when
 * assigned, and mongoose's cloning calls `constructor` as a function. Stored with a full-width first letter.
 */
const RESERVED = new Map([
  ['constructor', '\uFF43onstructor'],
  ['__proto__', '\uFF3F_proto__'],
]);
const RESERVED_BACK = new Map([...RESERVED].map(([key, stored]) => [stored, key]));

function encodeKey(key: string): string {
  const reserved = RESERVED.get(key);
  if (reserved !== undefined) return reserved;
  let out = key.includes('.') ? key.split('.').join(DOT) : key;
  if (out.startsWith('$')) out = DOLLAR + out.slice(1);
  if (out.includes(NUL)) out = out.split(NUL).join(NUL_SYMBOL);
  return out;
}

function decodeKey(key: string): string {
  const reserved = RESERVED_BACK.get(key);
  if (reserved !== undefined) return reserved;
  let out = key.includes(DOT) ? key.split(DOT).join('.') : key;
  if (out.startsWith(DOLLAR)) out = '$' + out.slice(1);
  if (out.includes(NUL_SYMBOL)) out = out.split(NUL_SYMBOL).join(NUL);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // Any realm's Object.prototype (jest and vm contexts have their own), but no class instances.
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * FerretDB v1 also refuses arrays directly inside arrays ("nested arrays are not supported"), which
 * payloads may legally hold (`"matrix": [[1, 2]]`): an inner array is stored wrapped as `{ "［］": [...] }`.
 */
const NESTED_ARRAY = '\uFF3B\uFF3D';

function isWrappedArray(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === NESTED_ARRAY && Array.isArray(value[NESTED_ARRAY]);
}

/** Own data property, even for `__proto__` (a plain assignment would replace the prototype instead). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function encodeValue(value: unknown, insideArray: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => encodeValue(item, true));
    return insideArray ? { [NESTED_ARRAY]: items } : items;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) define(out, encodeKey(key), encodeValue(inner, false));
  return out;
}

function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (!isPlainObject(value)) return value;
  if (isWrappedArray(value)) return (value[NESTED_ARRAY] as unknown[]).map(decodeValue);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) define(out, decodeKey(key), decodeValue(inner));
  return out;
}

export function encodeDocumentKeys<T>(value: T): T {
  return encodeValue(value, false) as T;
}

export function decodeDocumentKeys<T>(value: T): T {
  return decodeValue(value) as T;
}
