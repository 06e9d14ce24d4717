import { diffDocuments, REDACTED } from './diff.js';

describe('diffDocuments', () => {
  it('lists one change per changed leaf, with the field path and both values', () => {
    const before = {
      name: 'VIPs',
      definition: {
        type: 'all',
        conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }],
      },
    };
    const after = {
      name: 'VIP customers',
      definition: {
        type: 'all',
        conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'enterprise' }],
      },
    };
    expect(diffDocuments(before, after)).toEqual([
      { path: 'name', before: 'VIPs', after: 'VIP customers' },
      { path: 'definition.conditions[0].value', before: 'pro', after: 'enterprise' },
    ]);
  });

  it('is empty when nothing changed, whatever the key order or Date instances', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(diffDocuments({ a: 1, b: { c: at } }, { b: { c: new Date(at) }, a: 1 })).toEqual([]);
  });

  it('marks added fields with before null and removed fields with after null', () => {
    expect(diffDocuments({ name: 'x', description: 'old' }, { name: 'x', text: 'plain' })).toEqual([
      { path: 'description', before: 'old', after: null },
      { path: 'text', before: null, after: 'plain' },
    ]);
  });

  it('matches journey nodes by id, so inserting a node does not report every later node as changed', () => {
    const before = {
      nodes: [
        { id: 'start', kind: 'trigger' },
        { id: 'wait', kind: 'wait', config: { delay: { amount: 1, unit: 'days' } } },
      ],
    };
    const after = {
      nodes: [
        { id: 'email', kind: 'action' },
        { id: 'start', kind: 'trigger' },
        { id: 'wait', kind: 'wait', config: { delay: { amount: 3, unit: 'days' } } },
      ],
    };
    expect(diffDocuments(before, after)).toEqual([
      { path: 'nodes[id=wait].config.delay.amount', before: 1, after: 3 },
      { path: 'nodes[id=email]', before: null, after: { id: 'email', kind: 'action' } },
    ]);
  });

  it('shows redacted paths as "[redacted]" but still says a value was added or removed', () => {
    const changes = diffDocuments(
      { type: 'smtp', values: { user: 'a', pass: 'old-secret' } },
      { type: 'smtp', values: { user: 'a', pass: 'new-secret', port: '25' } },
      { redact: ['values'] },
    );
    expect(changes).toEqual([
      { path: 'values.pass', before: REDACTED, after: REDACTED },
      { path: 'values.port', before: null, after: REDACTED },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/secret/);
  });

  it('keeps entries compact: long values are cut and a flood of changes is counted', () => {
    const long = diffDocuments({ html: 'a' }, { html: 'b'.repeat(2000) }, { maxValueLength: 50 });
    expect(long[0]?.after).toBe(`${'b'.repeat(50)}…`);
    const many = diffDocuments(
      { list: Array.from({ length: 30 }, (_, i) => i) },
      { list: Array.from({ length: 30 }, (_, i) => i + 1) },
      { maxChanges: 10 },
    );
    expect(many).toHaveLength(11);
    expect(many[10]).toEqual({ path: '…', before: null, after: '20 more change(s) not shown' });
  });

  it('reports a whole new document as one change', () => {
    expect(diffDocuments(undefined, { name: 'x' })).toEqual([
      { path: '(document)', before: null, after: { name: 'x' } },
    ]);
  });
});
