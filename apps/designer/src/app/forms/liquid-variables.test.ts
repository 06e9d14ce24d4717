import { profileVariables, traitVariables } from './liquid-variables.js';

describe('traitVariables', () => {
  it('offers each trait identify calls have sent, as Liquid', () => {
    const catalog = [
      { event: 'Order Completed', properties: [{ name: 'revenue', type: 'number' }] },
      {
        event: 'Identify',
        properties: [
          { name: 'plan', type: 'string' },
          { name: 'firstName', type: 'string' },
          { name: 'first name', type: 'string' },
        ],
      },
    ];
    expect(traitVariables(catalog)).toEqual([
      { liquid: '{{ contact.traits.firstName }}', says: 'trait firstName (string)' },
      { liquid: '{{ contact.traits.plan }}', says: 'trait plan (string)' },
      { liquid: '{{ contact.traits["first name"] }}', says: 'trait first name (string)' },
    ]);
  });

  it('offers none before any identify call, or while the catalog is unknown', () => {
    expect(traitVariables([])).toEqual([]);
    expect(traitVariables(undefined)).toEqual([]);
  });
});

describe('profileVariables', () => {
  it('lists the purchase and email figures a message can quote, none needing a key', () => {
    const liquid = profileVariables().map((v) => v.liquid);
    expect(liquid).toContain('{{ contact.profile.purchases.orderCount }}');
    expect(liquid).toContain('{{ contact.profile.email.lastOpenedAt }}');
    expect(liquid.some((l) => l.includes('*'))).toBe(false);
  });
});
