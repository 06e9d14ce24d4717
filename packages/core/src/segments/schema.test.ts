import { SegmentDefinitionSchema } from './index.js';

describe('segment definition schema', () => {
  it('accepts a nested definition and names the failing field path', () => {
    const ok = SegmentDefinitionSchema.safeParse({
      type: 'all',
      conditions: [
        {
          type: 'event',
          check: 'performed',
          event: 'Order Completed',
          count: { operator: 'atLeast', value: 1 },
          window: { amount: 21, unit: 'days' },
        },
        {
          type: 'any',
          conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }],
        },
      ],
    });
    expect(ok.success).toBe(true);
    const bad = SegmentDefinitionSchema.safeParse({
      type: 'all',
      conditions: [
        {
          type: 'any',
          conditions: [{ type: 'trait', field: 'age', operator: 'gt', value: '2020-01-01' }],
        },
      ],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['conditions', 0, 'conditions', 0, 'value']);
  });
});
