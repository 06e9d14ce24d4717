import { PROFILE_PATHS, checkProfilePath } from './paths';

describe('checkProfilePath', () => {
  it('accepts computed fields with what they hold', () => {
    expect(checkProfilePath('purchases.predictedNextOrderAt')).toEqual({ ok: true, kind: 'date' });
    expect(checkProfilePath('purchases.orderCount')).toEqual({ ok: true, kind: 'number' });
    expect(checkProfilePath('categories.topCategory')).toEqual({ ok: true, kind: 'string' });
    expect(checkProfilePath('purchases.products')).toEqual({ ok: true, kind: 'group' });
  });

  it('leaves the keys the data chooses open: traits, event names, product ids, recent occurrences', () => {
    expect(checkProfilePath('traits.renewal_at')).toEqual({ ok: true, kind: 'open' });
    expect(checkProfilePath('traits.address.country')).toEqual({ ok: true, kind: 'open' });
    expect(checkProfilePath('events["Video Watched"].lastAt')).toEqual({ ok: true, kind: 'date' });
    expect(checkProfilePath('events.Signup.count')).toEqual({ ok: true, kind: 'number' });
    expect(checkProfilePath('purchases.products[sku-1].nextReorderAt')).toEqual({
      ok: true,
      kind: 'date',
    });
    expect(checkProfilePath('events["Video Watched"].recent.first.properties.title')).toEqual({
      ok: true,
      kind: 'open',
    });
  });

  it('refuses a path that is not there, with the nearest real one', () => {
    const check = checkProfilePath('purchase.predictedNextOrderAt');
    expect(check).toEqual({
      ok: false,
      suggestion: 'purchases.predictedNextOrderAt',
      message: expect.stringContaining('did you mean "purchases.predictedNextOrderAt"?'),
    });
    expect(checkProfilePath('events["Order Completed"].lastAtt')).toMatchObject({
      ok: false,
      suggestion: 'events["Order Completed"].lastAt',
    });
    expect(checkProfilePath('purchases.products.p1.nextReorder')).toMatchObject({
      ok: false,
      suggestion: 'purchases.products.p1.nextReorderAt',
    });
  });

  it('gives no suggestion when nothing is close', () => {
    const check = checkProfilePath('shoeSize');
    expect(check.ok).toBe(false);
    expect(check).not.toHaveProperty('suggestion');
  });

  it('refuses reading into a plain value', () => {
    expect(checkProfilePath('purchases.orderCount.total')).toMatchObject({
      ok: false,
      message: expect.stringContaining('a number with no fields'),
    });
  });

  it('lists every computed date, with free keys as *', () => {
    const dates = PROFILE_PATHS.filter((p) => p.kind === 'date').map((p) => p.path);
    expect(dates).toEqual(
      expect.arrayContaining([
        'purchases.predictedNextOrderAt',
        'purchases.products.*.nextReorderAt',
        'events.*.lastAt',
        'email.lastOpenedAt',
        'rfm.scoredAt',
      ]),
    );
  });
});
