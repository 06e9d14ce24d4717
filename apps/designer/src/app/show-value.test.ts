import { showValue, valueTitle } from './show-value';

describe('showValue', () => {
  it('shows a missing value as a dash, and text, numbers and booleans as they are', () => {
    expect([null, undefined, 'Ada', 42, 0, true, false].map(showValue)).toEqual([
      '—',
      '—',
      'Ada',
      '42',
      '0',
      'true',
      'false',
    ]);
  });

  it('shows a list as its items and an object as its values, never as JSON', () => {
    expect(showValue(['shoes', 'hats'])).toBe('shoes, hats');
    expect(showValue({ city: 'Lyon', zip: '69001' })).toBe('Lyon · 69001');
    expect(showValue([{ product_id: 'p1', price: 30 }, null])).toBe('p1 · 30, —');
  });

  it('stops two levels down instead of unfolding a deep object', () => {
    expect(showValue({ address: { geo: { lat: 45.7 } }, plan: 'pro' })).toBe('… · pro');
  });

  it('cuts a long value to 80 characters ending in an ellipsis', () => {
    const shown = showValue(Array.from({ length: 40 }, (_, i) => `item-${i}`));
    expect(shown).toHaveLength(80);
    expect(shown.startsWith('item-0, item-1, ')).toBe(true);
    expect(shown.endsWith('…')).toBe(true);
    expect(showValue('x'.repeat(80))).toBe('x'.repeat(80));
  });
});

describe('valueTitle', () => {
  it('gives the JSON of a list or object for the hover title, nothing for a plain value', () => {
    expect(valueTitle({ city: 'Lyon' })).toBe('{"city":"Lyon"}');
    expect(valueTitle([1, 2])).toBe('[1,2]');
    expect([valueTitle('Ada'), valueTitle(3), valueTitle(null)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});
