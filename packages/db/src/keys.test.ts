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
});
