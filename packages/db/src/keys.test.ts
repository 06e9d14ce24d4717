import { decodeDocumentKeys, encodeDocumentKeys, UnstorableValueError } from './keys';

describe('document key encoding', () => {
  it('round-trips keys with dots and leading dollars at any depth', () => {
    const doc = { 'a.b': 1, $set: { 'x.y.z': [{ $gt: 2 }] }, plain: 'v.w', when: new Date(0) };
    const encoded = encodeDocumentKeys(doc);
    const keys = JSON.stringify(Object.keys(encoded)) + JSON.stringify(encoded);
    expect(keys).not.toMatch(/"[^"]*\.[^"]*":/);
    expect(keys).not.toMatch(/"\$/);
    expect(encoded.plain).toBe('v.w'); // values are untouched
    expect(decodeDocumentKeys(encoded)).toEqual(doc);
  });

  it('stores arrays inside arrays wrapped (FerretDB refuses nested arrays) and reads them back as they were', () => {
    const doc = { matrix: [[1, 2], [[3]], []], list: [1, [{ 'a.b': [[true]] }]], empty: [[]] };
    const encoded = encodeDocumentKeys(doc);
    const hasNestedArray = (v: unknown): boolean =>
      Array.isArray(v)
        ? v.some((i) => Array.isArray(i) || hasNestedArray(i))
        : v !== null && typeof v === 'object'
          ? Object.values(v).some(hasNestedArray)
          : false;
    expect(hasNestedArray(encoded)).toBe(false);
    expect(decodeDocumentKeys(encoded)).toEqual(doc);
  });

  it('stores keys holding NUL bytes, which BSON cannot, and reads them back', () => {
    const doc = { 'a\u0000b': { '\u0000': 1 } };
    const encoded = encodeDocumentKeys(doc);
    expect(JSON.stringify(encoded)).not.toContain('\\u0000');
    expect(decodeDocumentKeys(encoded)).toEqual(doc);
  });

  it('stores __proto__ and constructor keys as plain data, and reads them back as own properties', () => {
    const doc = JSON.parse(
      '{"__proto__":{"polluted":1},"constructor":{"__proto__":null},"x":{"constructor":"c"}}',
    ) as Record<string, unknown>;
    const encoded = encodeDocumentKeys(doc);
    expect(Object.getPrototypeOf(encoded)).toBe(Object.prototype);
    expect(Object.keys(encoded)).not.toContain('__proto__');
    expect(Object.keys(encoded)).not.toContain('constructor');
    const decoded = decodeDocumentKeys(encoded);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded).sort()).toEqual(['__proto__', 'constructor', 'x']);
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(doc));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

const roundTrip = (value: unknown) => decodeDocumentKeys(encodeDocumentKeys(value));

describe('document keys that look like stand-ins, and values storage refuses', () => {
  const keys = [
    'a.b',
    '$set',
    '$',
    '.',
    'a\u0000b',
    '\u0000',
    // Look-alikes of what storage substitutes: they must not come back as '.', '$' or NUL.
    'a\uFF0Eb',
    '\uFF04x',
    'x\uFF04',
    '\u2400',
    'a\uFF3Cb',
    '\uFF3C',
    '\uFF3C\uFF0E',
    // Spelled like the stand-ins for reserved keys and nested arrays.
    'constructor',
    '__proto__',
    'prototype',
    '\uFF43onstructor',
    '\uFF3F_proto__',
    '\uFF50rototype',
    '\uFF3B\uFF3D',
    'prototype',
    'toString',
    '',
    ' ',
    '😀',
    'é',
  ];

  it.each(keys)('%j comes back unchanged, and is stored without "." or a leading "$"', (key) => {
    const doc = JSON.parse(
      `{${JSON.stringify(key)}: {${JSON.stringify(key)}: [1, [2]]}}`,
    ) as Record<string, unknown>;
    const stored = encodeDocumentKeys(doc);
    for (const k of Object.keys(stored))
      expect(
        k.includes('.') ||
          k.startsWith('$') ||
          k.includes('\u0000') ||
          k === '__proto__' ||
          k === 'constructor' ||
          k === 'prototype',
      ).toBe(false);
    const back = roundTrip(doc) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual([key]);
    expect(JSON.stringify(back)).toBe(JSON.stringify(doc));
  });

  it('keeps an object whose only key looks like the nested-array wrapper an object', () => {
    expect(roundTrip({ '\uFF3B\uFF3D': [1] })).toEqual({ '\uFF3B\uFF3D': [1] });
  });

  it.each([NaN, Infinity, -Infinity])('refuses %p with the path of the field', (bad) => {
    let thrown: unknown;
    try {
      encodeDocumentKeys({ purchases: { products: { 'a.b': { quantity: 1, gaps: [0, bad] } } } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnstorableValueError);
    expect((thrown as UnstorableValueError).field).toBe('purchases.products.a.b.gaps[1]');
    expect((thrown as Error).message).toMatch(
      /^purchases\.products\.a\.b\.gaps\[1\]: .* cannot be stored/,
    );
  });
});
