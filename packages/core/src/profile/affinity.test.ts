import fc from 'fast-check';
import {
  AffinityDefinitionsSchema,
  checkProfilePath,
  emptyProfile,
  foldEvents,
  type FoldableEvent,
} from './index.js';
import { affinityReferences, evaluateSegment } from '../segments/index.js';

let seq = 0;
const watched = (properties: Record<string, unknown>, at = 1_700_000_000_000 + seq * 1000) => ({
  messageId: `w${String(++seq).padStart(4, '0')}`,
  type: 'track' as const,
  event: 'Video Watched',
  properties,
  traits: {},
  timestamp: at,
});
const settings = {
  affinities: [
    { name: 'genre', event: 'Video Watched', property: 'genre' },
    { name: 'studio', event: 'Video Watched', property: 'show.studio' },
  ],
};

describe('affinities beyond product categories', () => {
  const history: FoldableEvent[] = [
    watched({ title: 'Mindhunter', genre: 'crime', show: { studio: 'Netflix' } }),
    watched({ title: 'Broadchurch', genre: 'Crime ' }),
    watched({ title: 'Fargo', genre: ['crime', 'comedy'] }),
    watched({ title: 'Ted Lasso', genre: 'comedy', show: { studio: 'Apple' } }),
    watched({ title: 'Line of Duty', genre: 'crime' }),
    watched({ title: 'No genre' }),
  ];

  it('counts the configured property of the configured event and names the top value', () => {
    const p = foldEvents(emptyProfile('c1'), history, settings);
    expect(p.affinities?.genre).toEqual({
      counts: { crime: 3, Crime: 1, comedy: 2 },
      total: 6,
      top: 'crime',
    });
    expect(p.affinities?.studio).toEqual({
      counts: { Apple: 1, Netflix: 1 },
      total: 2,
      top: 'Apple',
    });
    // Product categories are untouched.
    expect(p.categories.total).toBe(0);
  });

  it('counts nothing without a definition', () => {
    expect(foldEvents(emptyProfile('c1'), history).affinities).toBeUndefined();
  });

  it('gives the same figures in any arrival order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(history, { minLength: history.length }), (shuffled) => {
        expect(foldEvents(emptyProfile('c1'), shuffled, settings)).toEqual(
          foldEvents(emptyProfile('c1'), history, settings),
        );
      }),
      { numRuns: 30 },
    );
  });

  it('is a profile path conditions and templates may read', () => {
    expect(checkProfilePath('affinities.genre.top')).toEqual({ ok: true, kind: 'string' });
    expect(checkProfilePath('affinities.genre.total')).toEqual({ ok: true, kind: 'number' });
    expect(checkProfilePath('affinities.genre.topp')).toMatchObject({
      ok: false,
      suggestion: 'affinities.genre.top',
    });
  });

  it('drives segment conditions on a named affinity', () => {
    const profile = foldEvents(emptyProfile('c1'), history, settings);
    const crimeFans = {
      type: 'all' as const,
      conditions: [
        {
          type: 'metric' as const,
          metric: 'topCategory' as const,
          affinity: 'genre',
          operator: 'eq' as const,
          value: 'crime',
        },
        {
          type: 'metric' as const,
          metric: 'categoryAffinity' as const,
          affinity: 'genre',
          category: 'crime',
          operator: 'gte' as const,
          value: 0.5,
        },
      ],
    };
    const now = Date.now();
    expect(
      evaluateSegment(crimeFans, { contactId: 'c1', profile, now, memberships: new Set<string>() })
        .matches,
    ).toBe(true);
    const comedyFan = foldEvents(
      emptyProfile('c2'),
      [watched({ genre: 'comedy' }), watched({ genre: 'crime' }), watched({ genre: 'comedy' })],
      settings,
    );
    expect(
      evaluateSegment(crimeFans, {
        contactId: 'c2',
        profile: comedyFan,
        now,
        memberships: new Set<string>(),
      }).matches,
    ).toBe(false);
    // Without the affinity the same metric still reads product categories.
    expect(
      evaluateSegment(
        { type: 'all', conditions: [{ ...crimeFans.conditions[0]!, affinity: undefined }] },
        { contactId: 'c1', profile, now, memberships: new Set<string>() },
      ).matches,
    ).toBe(false);
  });

  it('lists the affinities a segment reads, with where, so a name the workspace lacks can be refused', () => {
    expect(
      affinityReferences({
        type: 'all',
        conditions: [
          { type: 'metric', metric: 'orderCount', operator: 'gte', value: 1 },
          {
            type: 'any',
            conditions: [
              {
                type: 'metric',
                metric: 'topCategory',
                affinity: 'genre',
                operator: 'eq',
                value: 'x',
              },
              { type: 'metric', metric: 'topCategory', operator: 'eq', value: 'Outdoor' },
            ],
          },
        ],
      }),
    ).toEqual([{ path: 'conditions[1].conditions[0].affinity', affinity: 'genre' }]);
  });

  it('validates definitions, naming the field', () => {
    const bad = AffinityDefinitionsSchema.safeParse([
      { name: 'genre', event: 'Video Watched', property: 'genre' },
      { name: 'genre', event: 'Song Played', property: 'genre' },
      { name: 'top genre', event: '', property: 'x' },
    ]);
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['1.name', '2.name', '2.event']));
  });
});
