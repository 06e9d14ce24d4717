import { decodeDocumentKeys, encodeDocumentKeys } from './keys';

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
      Array.isArray(v) ? v.some((i) => Array.isArray(i) || hasNestedArray(i)) : v !== null && typeof v === 'object' ? Object.values(v).some(hasNestedArray) : false;
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
    const doc = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"__proto__":null},"x":{"constructor":"c"}}') as Record<string, unknown>;
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
