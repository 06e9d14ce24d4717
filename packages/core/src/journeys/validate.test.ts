import type { JourneyDefinition, JourneyNode } from './graph.js';
import { journey, testCatalog } from './test-helpers.js';
import { validateJourney } from './validate.js';

const valid = (): JourneyDefinition =>
  journey(
    [
      { id: 'start', kind: 'trigger', trigger: { type: 'segmentEntered', segmentId: 'lapsed' } },
      {
        id: 'mail',
        kind: 'action',
        action: { type: 'email', version: 1 },
        config: { templateId: 'welcome' },
      },
      { id: 'wait-2', kind: 'delay', duration: { amount: 2, unit: 'days' } },
      {
        id: 'branch-1',
        kind: 'branch',
        condition: { on: 'eventSinceEntry', event: 'Video Watched' },
      },
      { id: 'done', kind: 'exit' },
    ],
    [
      ['start', 'next', 'mail'],
      ['mail', 'next', 'wait-2'],
      ['wait-2', 'next', 'branch-1'],
      ['branch-1', 'yes', 'done'],
      ['branch-1', 'no', 'done'],
    ],
  );

const messages = (def: unknown, extra: Partial<Parameters<typeof validateJourney>[1]> = {}) =>
  validateJourney(def, { catalog: testCatalog, ...extra }).map((p) => p.message);

function withNode(
  def: JourneyDefinition,
  id: string,
  change: (node: JourneyNode) => JourneyNode,
): JourneyDefinition {
  return { ...def, nodes: def.nodes.map((n) => (n.id === id ? change(n) : n)) };
}

describe('validateJourney', () => {
  it('accepts a well-formed journey', () => {
    expect(
      validateJourney(valid(), {
        catalog: testCatalog,
        segmentExists: () => true,
        templateExists: () => true,
      }),
    ).toEqual([]);
  });

  it('names the node and field when the schema refuses a value', () => {
    const def = withNode(
      valid(),
      'wait-2',
      (n) => ({ ...n, duration: { amount: 0, unit: 'days' } }) as JourneyNode,
    );
    const problems = validateJourney(def, { catalog: testCatalog });
    expect(problems).toEqual([
      {
        path: 'nodes[2].duration.amount',
        nodeId: 'wait-2',
        message: 'node "wait-2" (delay): duration.amount must be ≥ 1',
      },
    ]);
  });

  it('refuses an entry end date that is not after the start date, naming the field', () => {
    const dated = (entryStartsAt: string, entryEndsAt: string) =>
      validateJourney(
        { ...valid(), settings: { ...valid().settings, entryStartsAt, entryEndsAt } },
        { catalog: testCatalog, segmentExists: () => true, templateExists: () => true },
      );
    expect(dated('2026-03-01T00:00:00Z', '2026-02-01T00:00:00Z')).toEqual([
      expect.objectContaining({
        path: 'settings.entryEndsAt',
        message: expect.stringContaining('must be after settings.entryStartsAt'),
      }),
    ]);
    expect(dated('2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')).toHaveLength(1);
    expect(dated('2026-03-01T00:00:00Z', '2026-03-02T00:00:00+01:00')).toEqual([]);
    expect(
      messages({ ...valid(), settings: { ...valid().settings, entryEndsAt: 'soon' } }),
    ).toEqual([expect.stringContaining('entryEndsAt')]);
  });

  it('explains an unknown node kind', () => {
    const def = withNode(
      valid(),
      'wait-2',
      (n) => ({ ...n, kind: 'sleep' }) as unknown as JourneyNode,
    );
    expect(messages(def)[0]).toMatch(
      /^node "wait-2" \(sleep\): kind must be one of trigger, delay/,
    );
  });

  it('requires exactly one trigger', () => {
    const none = {
      ...valid(),
      nodes: valid().nodes.filter((n) => n.kind !== 'trigger'),
      edges: valid().edges.filter((e) => e.source !== 'start'),
    };
    expect(messages(none)).toContain(
      'journey: has no trigger — add one Trigger node that says how contacts enter',
    );
    const two = {
      ...valid(),
      nodes: [
        ...valid().nodes,
        { id: 'start-2', kind: 'trigger', trigger: { type: 'manual' } } as JourneyNode,
      ],
    };
    expect(messages(two)).toContainEqual(
      expect.stringMatching(/^node "start-2" \(trigger\): a journey has exactly one trigger/),
    );
  });

  it('refuses duplicate node and edge ids', () => {
    const def = valid();
    def.nodes.push({ id: 'done', kind: 'exit' });
    def.edges.push({ ...def.edges[0]!, target: 'mail' });
    const found = messages(def);
    expect(found).toContainEqual(
      expect.stringMatching(/^node "done" \(exit\): id is already used by nodes\[4\]/),
    );
    expect(found).toContainEqual(expect.stringMatching(/^edge "e0": id is already used/));
  });

  it('refuses edges to missing nodes and from outputs a node does not have', () => {
    const def = valid();
    def.edges.push({ id: 'ghost', source: 'mail', sourceHandle: 'next', target: 'nowhere' });
    def.edges.push({ id: 'bad-handle', source: 'branch-1', sourceHandle: 'maybe', target: 'done' });
    const found = messages(def);
    expect(found).toContain(
      'edge "ghost": target node "nowhere" does not exist — connect it to an existing node or delete the edge',
    );
    expect(found).toContain(
      'node "branch-1" (branch): has no output "maybe" (edge "bad-handle") — use one of "yes", "no"',
    );
  });

  it('refuses two edges from the same output', () => {
    const def = valid();
    def.edges.push({ id: 'again', source: 'wait-2', sourceHandle: 'next', target: 'done' });
    expect(messages(def)).toContain(
      'node "wait-2" (delay): output "next" is connected twice (edges "e2" and "again") — keep one',
    );
  });

  it('names every unconnected output', () => {
    const def = valid();
    def.edges = def.edges.filter((e) => !(e.source === 'branch-1' && e.sourceHandle === 'no'));
    expect(validateJourney(def, { catalog: testCatalog })).toEqual([
      {
        path: 'nodes[3]',
        nodeId: 'branch-1',
        message:
          'node "branch-1" (branch): output "no" is not connected — connect it or add an Exit',
      },
    ]);
  });

  it('lets a goal end the journey without a next step', () => {
    const def = valid();
    def.nodes.push({
      id: 'goal',
      kind: 'goal',
      condition: { on: 'eventSinceEntry', event: 'Subscribed' },
    });
    def.edges.push({ id: 'to-goal', source: 'branch-1', sourceHandle: 'yes', target: 'goal' });
    def.edges = def.edges.filter(
      (e) => !(e.source === 'branch-1' && e.target === 'done' && e.sourceHandle === 'yes'),
    );
    expect(messages(def)).toEqual([]);
  });

  it('refuses nodes the trigger cannot reach', () => {
    const def = valid();
    def.nodes.push({ id: 'orphan', kind: 'delay', duration: { amount: 1, unit: 'hours' } });
    def.edges.push({ id: 'orphan-out', source: 'orphan', sourceHandle: 'next', target: 'done' });
    expect(messages(def)).toEqual([
      'node "orphan" (delay): cannot be reached from the trigger — connect an output to it or delete it',
    ]);
  });

  it('refuses a loop with no wait but accepts one through a delay', () => {
    const spin = journey(
      [
        { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
        {
          id: 'again',
          kind: 'branch',
          condition: { on: 'segment', segmentId: 'vip', member: true },
        },
        { id: 'ping', kind: 'action', action: { type: 'webhook', version: 1 }, config: {} },
        { id: 'done', kind: 'exit' },
      ],
      [
        ['start', 'next', 'again'],
        ['again', 'yes', 'ping'],
        ['again', 'no', 'done'],
        ['ping', 'success', 'again'],
        ['ping', 'failure', 'done'],
      ],
    );
    expect(messages(spin)).toEqual([
      'node "again" (branch): is on a loop with no wait ("again" → "ping" → "again") — add a Delay, Wait until or Wait for on the loop',
    ]);
    const paced: JourneyDefinition = {
      ...spin,
      nodes: [...spin.nodes, { id: 'pause', kind: 'delay', duration: { amount: 1, unit: 'days' } }],
      edges: [
        ...spin.edges.filter((e) => e.sourceHandle !== 'success'),
        { id: 'p1', source: 'ping', sourceHandle: 'success', target: 'pause' },
        { id: 'p2', source: 'pause', sourceHandle: 'next', target: 'again' },
      ],
    };
    expect(messages(paced)).toEqual([]);
  });

  it('refuses unknown actions and passes on the action’s config problems', () => {
    const unknown = withNode(
      valid(),
      'mail',
      (n) => ({ ...n, action: { type: 'fax', version: 1 } }) as JourneyNode,
    );
    expect(messages(unknown)).toContain(
      'node "mail" (action): action "fax@1" is not an installed action — install it or pick another action',
    );
    const badConfig = withNode(valid(), 'mail', (n) => ({ ...n, config: {} }) as JourneyNode);
    expect(validateJourney(badConfig, { catalog: testCatalog })).toEqual([
      {
        path: 'nodes[1].config.templateId',
        nodeId: 'mail',
        message: 'node "mail" (action): config.templateId must name an email template',
      },
    ]);
  });

  it('refuses references to segments and templates that do not exist', () => {
    const found = messages(valid(), {
      segmentExists: (id) => id !== 'lapsed',
      templateExists: () => false,
    });
    expect(found).toEqual([
      'node "start" (trigger): trigger.segmentId refers to segment "lapsed", which does not exist — pick an existing segment',
      'node "mail" (action): config.templateId refers to template "welcome", which does not exist — pick an existing template',
    ]);
  });

  it('refuses a pinned template or version that does not exist, naming the field', () => {
    const pinned = (template: unknown) =>
      withNode(valid(), 'mail', (n) => ({
        ...n,
        config: { templateId: 'welcome', template },
      }));
    const options = {
      catalog: testCatalog,
      templateExists: () => true,
      templateLatestVersion: (id: string) => (id === 'tpl_welcome' ? 2 : undefined),
    };
    expect(validateJourney(pinned({ id: 'tpl_welcome', version: 2 }), options)).toEqual([]);
    expect(validateJourney(pinned({ id: 'tpl_welcome', version: 3 }), options)).toEqual([
      {
        path: 'nodes[1].config.template.version',
        nodeId: 'mail',
        message:
          'node "mail" (action): config.template.version is 3, but template "tpl_welcome" has versions 1 to 2 — pick one of them',
      },
    ]);
    expect(validateJourney(pinned({ id: 'tpl_gone', version: 1 }), options)).toEqual([
      {
        path: 'nodes[1].config.template.id',
        nodeId: 'mail',
        message:
          'node "mail" (action): config.template.id refers to template "tpl_gone", which does not exist — pick an existing template',
      },
    ]);
  });

  it('refuses a segment that does not exist inside a wait-for or branch condition, with its path', () => {
    const inSegment = (segmentId: string) => ({
      type: 'all' as const,
      conditions: [
        {
          type: 'any' as const,
          conditions: [{ type: 'segment' as const, membership: 'member' as const, segmentId }],
        },
      ],
    });
    let def = withNode(valid(), 'wait-2', (n) => ({
      id: n.id,
      kind: 'waitFor',
      for: { type: 'condition', condition: inSegment('vip') },
      timeout: { amount: 2, unit: 'days' },
    }));
    def = {
      ...def,
      edges: def.edges.map((e) => (e.source === 'wait-2' ? { ...e, sourceHandle: 'matched' } : e)),
    };
    def.edges.push({ id: 'timeout', source: 'wait-2', sourceHandle: 'timeout', target: 'done' });
    def = withNode(def, 'branch-1', (n) => ({
      ...n,
      kind: 'branch',
      condition: { on: 'profile', condition: inSegment('gold') },
    }));
    const problems = validateJourney(def, {
      catalog: testCatalog,
      segmentExists: (id) => id === 'lapsed',
      templateExists: () => true,
    });
    expect(problems.map((p) => p.path)).toEqual([
      'nodes[2].for.condition.conditions[0].conditions[0].segmentId',
      'nodes[3].condition.condition.conditions[0].conditions[0].segmentId',
    ]);
    expect(problems[0]?.message).toMatch(/segment "vip", which does not exist/);
  });

  it('refuses random-split weights of zero and duplicate multi-split branch ids', () => {
    const def = journey(
      [
        { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
        {
          id: 'ab',
          kind: 'randomSplit',
          variants: [
            { id: 'a', label: 'A', weight: 50 },
            { id: 'b', label: 'B', weight: 0 },
          ],
        },
        { id: 'done', kind: 'exit' },
      ],
      [
        ['start', 'next', 'ab'],
        ['ab', 'a', 'done'],
        ['ab', 'b', 'done'],
      ],
    );
    expect(messages(def)).toEqual(['node "ab" (randomSplit): variants[1].weight must be > 0']);

    const split = journey(
      [
        { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
        {
          id: 'tiers',
          kind: 'multiSplit',
          branches: [
            {
              id: 'vip',
              label: 'VIP',
              condition: { on: 'segment', segmentId: 'vip', member: true },
            },
            {
              id: 'vip',
              label: 'VIP again',
              condition: { on: 'segment', segmentId: 'gold', member: true },
            },
          ],
        },
        { id: 'done', kind: 'exit' },
      ],
      [
        ['start', 'next', 'tiers'],
        ['tiers', 'vip', 'done'],
        ['tiers', 'else', 'done'],
      ],
    );
    expect(messages(split)).toEqual([
      'node "tiers" (multiSplit): branches[1].id "vip" is used by another branch — give each branch its own id',
    ]);
  });

  it('checks the quiet-hours time zone', () => {
    const def = {
      ...valid(),
      settings: {
        ...valid().settings,
        quietHours: { start: '21:00', end: '08:00', defaultTimezone: 'Mars/Olympus' },
      },
    };
    expect(messages(def)).toEqual([
      'settings.quietHours.defaultTimezone: "Mars/Olympus" is not an IANA time zone — use e.g. "America/New_York"',
    ]);
  });

  describe('profile paths', () => {
    const waitOn = (field: string) =>
      withNode(
        valid(),
        'wait-2',
        (n) =>
          ({
            id: n.id,
            kind: 'waitUntil',
            until: { type: 'profileDate', field, offset: { amount: -14, unit: 'days' } },
          }) as JourneyNode,
      );

    it('refuses a wait on a profile date that does not exist, suggesting the real one', () => {
      expect(
        validateJourney(waitOn('purchase.predictedNextOrderAt'), { catalog: testCatalog }),
      ).toEqual([
        {
          path: 'nodes[2].until.field',
          nodeId: 'wait-2',
          message: expect.stringMatching(
            /^node "wait-2" \(waitUntil\): until\.field "purchase\.predictedNextOrderAt" is not on the contact profile — did you mean "purchases\.predictedNextOrderAt"\?/,
          ),
        },
      ]);
    });

    it('refuses a wait on a profile number', () => {
      expect(messages(waitOn('purchases.orderCount'))).toEqual([
        expect.stringContaining('"purchases.orderCount" is a number, not a date'),
      ]);
    });

    it('accepts computed dates, per-product dates and traits', () => {
      for (const field of [
        'purchases.predictedNextOrderAt',
        'purchases.products[sku-1].nextReorderAt',
        'traits.renewal_at',
        'events["Order Completed"].lastAt',
      ]) {
        expect(messages(waitOn(field))).toEqual([]);
      }
    });

    it('refuses Liquid that reads a profile field that does not exist', () => {
      const def = withNode(
        valid(),
        'mail',
        (n) =>
          ({
            ...n,
            config: {
              templateId: 'welcome',
              subject: 'You ordered {{ contact.profile.purchase.orderCount }} times',
              html: '{{ contact.profile.events["Video Watched"].recent.first.properties.title }} {{ contact.traits.anything }}',
            },
          }) as JourneyNode,
      );
      expect(messages(def)).toEqual([
        expect.stringContaining(
          'config.subject reads "contact.profile.purchase.orderCount": "purchase.orderCount" is not on the contact profile — did you mean "purchases.orderCount"?',
        ),
      ]);
    });
  });
});
