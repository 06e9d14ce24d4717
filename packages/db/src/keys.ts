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
  // Mongoose's clone skips a key named `prototype`, so it vanished from stored properties and traits.
  ['prototype', '\uFF50rototype'],
]);
const RESERVED_BACK = new Map([...RESERVED].map(([key, stored]) => [stored, key]));

/**
 * FerretDB v1 also refuses arrays directly inside arrays ("nested arrays are not supported"), which
 * payloads may legally hold (`"matrix": [[1, 2]]`): an inner array is stored wrapped as `{ "［］": [...] }`.
 */
const NESTED_ARRAY = '\uFF3B\uFF3D';

/**
 * A key that already holds one of the stand-ins (a customer's full-width '．', a literal '␀') would decode
 * to something else, so such characters are stored behind this escape (full-width '＼'), itself included.
 * Keys stored before the escape existed decode as they always did unless they hold '＼'.
 */
const ESCAPE = '\uFF3C';
const NEEDS_ESCAPE = new Set([ESCAPE, DOT, DOLLAR, NUL_SYMBOL]);
const isStandInKey = (key: string) => RESERVED_BACK.has(key) || key === NESTED_ARRAY;
const needsEncoding =
  /[.$\u0000\uFF3C\uFF0E\uFF04\u2400\uFF43\uFF3F\uFF3B\uFF50]|^(constructor|__proto__|prototype)$/;

function encodeKey(key: string): string {
  if (!needsEncoding.test(key)) return key;
  const reserved = RESERVED.get(key);
  if (reserved !== undefined) return reserved;
  // A key spelled like a stand-in ('ｃonstructor', '［］') is escaped whole, so it never decodes as one.
  if (isStandInKey(key)) return ESCAPE + key;
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (NEEDS_ESCAPE.has(c)) out += ESCAPE + c;
    else if (c === '.') out += DOT;
    else if (c === NUL) out += NUL_SYMBOL;
    else if (c === '$' && i === 0) out += DOLLAR;
    else out += c;
  }
  return out;
}

function decodeKey(key: string): string {
  const reserved = RESERVED_BACK.get(key);
  if (reserved !== undefined) return reserved;
  if (!/[\uFF3C\uFF0E\uFF04\u2400]/.test(key)) return key;
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (c === ESCAPE && i + 1 < key.length) out += key[++i];
    else if (c === DOT) out += '.';
    else if (c === NUL_SYMBOL) out += NUL;
    else if (c === DOLLAR && i === 0) out += '$';
    else out += c;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // Any realm's Object.prototype (jest and vm contexts have their own), but no class instances.
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function isWrappedArray(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === NESTED_ARRAY && Array.isArray(value[NESTED_ARRAY]);
}

/** Own data property, even for `__proto__` (a plain assignment would replace the prototype instead). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * A number the database cannot hold (NaN, ±Infinity): FerretDB answers one by closing the connection, which
 * looked like "database unreachable" and failed every retry. Refused here with the field's path instead.
 */
export class UnstorableValueError extends Error {
  /** Filled in from the leaf up as the error passes each enclosing key. */
  readonly path: (string | number)[] = [];
  constructor(readonly value: number) {
    super(`${String(value)} cannot be stored`);
    this.name = 'UnstorableValueError';
  }
  /** `properties.items[0].price`, the form Cairn's errors use. */
  get field(): string {
    let out = '';
    for (const part of this.path)
      out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
    return out || '(value)';
  }
}

/** Runs `encode` for the child at `key`, adding the key to the path of an UnstorableValueError from below. */
function under<T>(key: string | number, encode: () => T): T {
  try {
    return encode();
  } catch (error) {
    if (error instanceof UnstorableValueError) error.path.unshift(key);
    throw error;
  }
}

function encodeValue(value: unknown, insideArray: boolean): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new UnstorableValueError(value);
  if (Array.isArray(value)) {
    const items = value.map((item, index) => under(index, () => encodeValue(item, true)));
    return insideArray ? { [NESTED_ARRAY]: items } : items;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value))
    define(
      out,
      encodeKey(key),
      under(key, () => encodeValue(inner, false)),
    );
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

/** The document as storage keeps it; throws UnstorableValueError (with the field's path) for NaN or ±Infinity. */
export function encodeDocumentKeys<T>(value: T): T {
  try {
    return encodeValue(value, false) as T;
  } catch (error) {
    if (error instanceof UnstorableValueError)
      error.message = `${error.field}: ${String(error.value)} cannot be stored; the database keeps only finite numbers`;
    throw error;
  }
}

export function decodeDocumentKeys<T>(value: T): T {
  return decodeValue(value) as T;
}
