import { emptyProfile } from '../profile/index.js';
import {
  evaluateSegment,
  findSegmentCycle,
  orderSegmentsForEvaluation,
  SEGMENT_TEMPLATES,
  SegmentCycleError,
  segmentDependencies,
  validateSegmentDefinition,
  type SegmentDefinition,
} from './index.js';

const issuesOf = (def: unknown, opts = {}) => {
  const r = validateSegmentDefinition(def, opts);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('validateSegmentDefinition', () => {
  it('names the JSON path of a bad window', () => {
    const def = {
      type: 'all',
      conditions: [
        { type: 'trait', field: 'plan', operator: 'exists' },
        {
          type: 'any',
          conditions: [
            {
              type: 'event',
              check: 'notPerformed',
              event: 'Order Completed',
              window: { amount: 0, unit: 'days' },
            },
          ],
        },
      ],
    };
    expect(issuesOf(def)).toEqual(['conditions[1].conditions[0].window.amount: must be ≥ 1']);
  });

  it('refuses empty groups, unknown metrics, unknown fields and number operators on dates', () => {
    expect(issuesOf({ type: 'all', conditions: [{ type: 'none', conditions: [] }] })[0]).toMatch(
      /^conditions\[0\]\.conditions: must hold at least one condition/,
    );
    expect(
      issuesOf({
        type: 'all',
        conditions: [{ type: 'metric', metric: 'lifetimeValue', operator: 'gt', value: 1 }],
      })[0],
    ).toMatch(/^conditions\[0\]\.metric: unknown metric "lifetimeValue"; use one of orderCount/);
    expect(
      issuesOf({
        type: 'all',
        conditions: [{ type: 'segment', membership: 'member', segmentId: 'a', note: 'x' }],
      }),
    ).toEqual(['conditions[0]: unknown field note; remove it']);
    expect(
      issuesOf({
        type: 'all',
        conditions: [{ type: 'trait', field: 'signupAt', operator: 'gt', value: '2024-01-01' }],
      }),
    ).toEqual([
      'conditions[0].value: must be a number (use before/after/withinLast/moreThanAgo for dates)',
    ]);
  });

  it('checks segment ids and windows the profile cannot answer', () => {
    const def = {
      type: 'all',
      conditions: [
        { type: 'segment', membership: 'member', segmentId: 'ghost' },
        { type: 'event', check: 'performed', event: 'X', window: { amount: 60, unit: 'weeks' } },
      ],
    };
    expect(issuesOf(def, { knownSegmentIds: ['vip'] })).toEqual([
      'conditions[0].segmentId: unknown segment "ghost"; pick an existing segment id',
      'conditions[1].window.amount: must be ≤ 400 days: the profile keeps 400 days of history',
    ]);
  });

  it('requires the definition itself to be a group', () => {
    expect(issuesOf({ type: 'trait', field: 'plan', operator: 'exists' })[0]).toMatch(
      /^type: a segment definition is a group/,
    );
  });
});

describe('segment dependencies', () => {
  const member = (id: string) => ({
    type: 'segment' as const,
    membership: 'member' as const,
    segmentId: id,
  });
  const seg = (id: string, ...deps: string[]): { id: string; definition: SegmentDefinition } => ({
    id,
    definition: {
      type: 'all',
      conditions: deps.length
        ? deps.map(member)
        : [{ type: 'trait', field: 'x', operator: 'exists' }],
    },
  });

  it('lists referenced segments and orders segments after their dependencies', () => {
    expect(
      segmentDependencies({
        type: 'any',
        conditions: [member('b'), { type: 'none', conditions: [member('a'), member('b')] }],
      }),
    ).toEqual(['a', 'b']);
    const order = orderSegmentsForEvaluation([
      seg('c', 'b'),
      seg('b', 'a'),
      seg('a'),
      seg('d'),
    ]).map((s) => s.id);
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('b'));
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('c'));
    expect(order).toHaveLength(4);
  });

  it('finds membership cycles and refuses to order them', () => {
    expect(findSegmentCycle([seg('a', 'b'), seg('b', 'c'), seg('c', 'a')])).toEqual([
      'a',
      'b',
      'c',
      'a',
    ]);
    expect(findSegmentCycle([seg('a', 'b'), seg('b')])).toBeNull();
    expect(() => orderSegmentsForEvaluation([seg('a', 'a')])).toThrow(SegmentCycleError);
  });
});

describe('SEGMENT_TEMPLATES', () => {
  it('are all valid, uniquely named, cover every family, and evaluate on an empty profile', () => {
    for (const tpl of SEGMENT_TEMPLATES) {
      expect([tpl.id, issuesOf(tpl.definition)]).toEqual([tpl.id, []]);
      const r = evaluateSegment(tpl.definition, {
        contactId: 'c',
        profile: emptyProfile('c'),
        now: Date.UTC(2024, 0, 1),
        memberships: new Set(),
      });
      expect(r.matches).toBe(false);
    }
    expect(new Set(SEGMENT_TEMPLATES.map((t) => t.id)).size).toBe(SEGMENT_TEMPLATES.length);
    expect(new Set(SEGMENT_TEMPLATES.map((t) => t.family))).toEqual(
      new Set([
        'purchaseBehaviour',
        'occasionAndTiming',
        'benefitsSought',
        'loyalty',
        'engagement',
      ]),
    );
  });
});
