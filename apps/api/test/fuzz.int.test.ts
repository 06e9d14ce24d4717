import fc from 'fast-check';
import { startApi, type RunningApi } from './harness';

/**
 * Property tests over what the outside world sends: ingestion payloads, segment definitions, journey
 * graphs and imports, mutated and garbled by fast-check. Whatever arrives, the API answers without a 5xx,
 * every 400/422 is problem+json naming the offending field, the server stays up, and the valid part of a
 * batch is still stored. Counter-examples found here are kept as plain regression tests at the bottom.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
jest.setTimeout(120_000);

let api: RunningApi;
let ws: Awaited<ReturnType<RunningApi['workspace']>>;

beforeAll(async () => {
  api = await startApi({ env: { CAIRN_SECRET_KEY: 'fuzz-test-secret-fuzz-test-secret-fuzz' } });
  ws = await api.workspace('Fuzz');
});
afterAll(async () => api?.close());

const basic = () => `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`;

interface Answer {
  status: number;
  type: string;
  text: string;
  label: string;
}

async function send(
  path: string,
  init: { method?: string; auth: string; body: string | Buffer; type?: string; encoding?: string },
): Promise<Answer> {
  const res = await api.fetch(path, {
    method: init.method ?? 'POST',
    headers: {
      authorization: init.auth,
      ...(init.type ? { 'content-type': init.type } : {}),
      ...(init.encoding ? { 'content-encoding': init.encoding } : {}),
    },
    body: init.body,
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text,
    label: `${init.method ?? 'POST'} ${path} ${String(init.body).slice(0, 300)}`,
  };
}

const sendJson = (path: string, auth: string, body: unknown, method = 'POST') =>
  send(path, { method, auth, body: JSON.stringify(body), type: 'application/json' });

/** Status counts per property, so a test can show that its inputs reach past the first validator. */
const tally = new Map<string, Map<number, number>>();
let tallyKey = '';
function count(status: number): void {
  const counts = tally.get(tallyKey) ?? new Map<number, number>();
  counts.set(status, (counts.get(status) ?? 0) + 1);
  tally.set(tallyKey, counts);
}
/**
 * Share of 2xx answers: proof the generator reaches past the first validator. About a quarter of the
 * inputs are valid, so with 120 random inputs a share near 0.15 is ordinary bad luck (it failed CI once at
 * exactly 0.15); 0.05 is still far above "all garbage" (0) and about five standard deviations below the mean.
 */
const MIN_SHARE_2XX = 0.05;
function share2xx(key: string): number {
  const counts = [...(tally.get(key) ?? new Map<number, number>()).entries()];
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  return total === 0
    ? 0
    : counts.filter(([status]) => status < 300).reduce((sum, [, n]) => sum + n, 0) / total;
}
beforeEach(() => {
  tallyKey = expect.getState().currentTestName ?? '';
});
afterAll(() => {
  if (process.env.FUZZ_TALLY)
    for (const [key, counts] of tally) console.log(key, Object.fromEntries(counts));
});

/** The contract: no 5xx; a 4xx is problem+json; a 400/422 names at least one field. */
function expectHandled(answer: Answer): void {
  count(answer.status);
  if (answer.status >= 500)
    throw new Error(`${answer.status} for ${answer.label}\n→ ${answer.text.slice(0, 1000)}`);
  if (answer.status < 400) return;
  if (!answer.type.startsWith('application/problem+json'))
    throw new Error(`${answer.status} without problem+json (${answer.type}) for ${answer.label}`);
  const problem = JSON.parse(answer.text) as {
    detail?: string;
    errors?: { path?: unknown; message?: unknown }[];
  };
  if (!problem.detail) throw new Error(`${answer.status} without a detail for ${answer.label}`);
  if (answer.status === 400 || answer.status === 422) {
    const named = (problem.errors ?? []).filter(
      (e) =>
        typeof e.path === 'string' &&
        e.path.length > 0 &&
        typeof e.message === 'string' &&
        e.message.length > 0,
    );
    if (named.length === 0)
      throw new Error(
        `${answer.status} names no field for ${answer.label}\n→ ${answer.text.slice(0, 1000)}`,
      );
  }
}

async function expectUp(): Promise<void> {
  expect((await api.fetch('/healthz')).status).toBe(200);
}

// ---------------------------------------------------------------------------------------------------
// Values that tend to break things: odd types, huge and tiny numbers, unicode, prototype keys, dotted and $ keys.

const nastyKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'a.b',
    '$set',
    '$where',
    '.',
    '$',
    '',
    ' ',
    'toString',
    'hasOwnProperty',
    '\u0000',
    'a\u0000b',
    '😀',
    'é',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
const nastyScalar = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -0,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    5e-324,
    '',
    ' ',
    'null',
    '2024-02-30T25:61:00Z',
    '0000-00-00',
    '\u2028',
    '\uFEFF',
    '💥'.repeat(50),
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const { nastyValue } = fc.letrec<{ nastyValue: unknown }>((tie) => ({
  nastyValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyScalar,
    fc.array(tie('nastyValue'), { maxLength: 5 }),
    fc.dictionary(nastyKey, tie('nastyValue'), { maxKeys: 5, noNullPrototype: false }),
  ),
}));
const deep = (depth: number, leaf: unknown, asArray: boolean): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { n: value };
  return value;
};
const deepValue = fc
  .tuple(fc.integer({ min: 20, max: 3000 }), nastyScalar, fc.boolean())
  .map(([d, leaf, arr]) => deep(d, leaf, arr));
const anyValue = fc.oneof(
  { weight: 5, arbitrary: nastyValue },
  { weight: 1, arbitrary: deepValue },
);

// ---------------------------------------------------------------------------------------------------
// Ingestion

let seq = 0;
const validEvent = fc
  .record({
    type: fc.constantFrom('track', 'identify'),
    userId: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0),
  })
  .map((e) => {
    seq += 1;
    return e.type === 'track'
      ? {
          type: 'track',
          userId: `fz-${e.userId}`,
          event: 'Fuzzed',
          messageId: `fz-valid-${seq}-${Math.random()}`,
          properties: { n: seq },
        }
      : // `event` is ignored on identify but lets the same payload pass on /v1/track too.
        {
          type: 'identify',
          userId: `fz-${e.userId}`,
          event: 'Fuzzed',
          messageId: `fz-valid-${seq}-${Math.random()}`,
          traits: { n: seq },
        };
  });

/** A valid event whose free-form parts (properties, traits, context) hold nasty keys and values: it must be stored. */
const stressedEvent = fc
  .record({
    base: validEvent,
    bag: fc.dictionary(nastyKey, nastyValue, { maxKeys: 6, noNullPrototype: false }),
    where: fc.constantFrom('properties', 'traits', 'context'),
  })
  .map(({ base, bag, where }) => ({ ...base, [where]: bag }))
  // An own `__proto__` key is refused by design (it cannot be kept), so it makes an event invalid.
  .filter((event) => !JSON.stringify(event).includes('"__proto__":'));

/** A plausible event with fields swapped for nasty values, removed, or joined by nasty keys. */
const mutatedEvent = fc
  .record({
    base: validEvent,
    replace: fc.dictionary(
      fc.constantFrom(
        'type',
        'userId',
        'anonymousId',
        'event',
        'messageId',
        'timestamp',
        'sentAt',
        'properties',
        'traits',
        'context',
        'integrations',
      ),
      anyValue,
      { maxKeys: 4 },
    ),
    remove: fc.subarray(['type', 'userId', 'event', 'messageId', 'properties', 'traits']),
    extra: fc.dictionary(nastyKey, anyValue, { maxKeys: 3 }),
  })
  .map(({ base, replace, remove, extra }) => {
    const out: Record<string, unknown> = { ...base };
    for (const key of remove) delete out[key];
    Object.assign(out, replace);
    for (const [k, v] of Object.entries(extra))
      Object.defineProperty(out, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  });

/** A body as bytes: valid JSON, truncated JSON, or not JSON at all. */
const rawBody = fc.oneof(
  { weight: 5, arbitrary: stressedEvent.map((v) => JSON.stringify(v)) },
  {
    weight: 3,
    arbitrary: fc.oneof(mutatedEvent, anyValue).map((v) => JSON.stringify(v) ?? 'undefined'),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(mutatedEvent, fc.nat()).map(([v, cut]) => {
      const s = JSON.stringify(v);
      return s.slice(0, cut % Math.max(1, s.length));
    }),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '{',
      '[',
      'null',
      '"x"',
      '1e999',
      '{"userId":1e999,"event":"x"}',
      '{"__proto__":{"polluted":1},"userId":"p","event":"x"}',
      '{"a":' + '['.repeat(5000),
    ),
  },
);
/** A batch envelope around stressed, mutated and garbage items, or a broken envelope. */
const batchBody = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.oneof(stressedEvent, mutatedEvent, anyValue), { maxLength: 20 })
      .map((batch) => JSON.stringify({ batch })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ batch: anyValue, context: anyValue, sentAt: anyValue }, { requiredKeys: [] })
      .map((v) => JSON.stringify(v)),
  },
  { weight: 1, arbitrary: rawBody },
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'text/xml',
  'multipart/form-data; boundary=x',
  'application/vnd.segment+json',
  undefined,
);

describe('ingestion', () => {
  it.each(['/v1/track', '/v1/identify', '/v1/page', '/v1/batch'])(
    '%s answers every payload without a 5xx and names the field of a 400',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(
          path === '/v1/batch' ? batchBody : rawBody,
          contentType,
          async (body, type) => {
            expectHandled(await send(path, { auth: basic(), body, ...(type ? { type } : {}) }));
          },
        ),
        { numRuns: RUNS },
      );
      await expectUp();
      // A good share of the inputs must get past validation into storage, or the property proves little.
      expect(share2xx(expect.getState().currentTestName!)).toBeGreaterThan(MIN_SHARE_2XX);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('stores the valid events of a batch whatever else it holds', async () => {
    const item = fc.oneof(
      fc.oneof(validEvent, stressedEvent).map((event) => ({ valid: true as const, event })),
      fc.oneof(mutatedEvent, anyValue).map((event) => ({ valid: false as const, event })),
    );
    const stored: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 30 }), async (items) => {
        const answer = await sendJson('/v1/batch', basic(), { batch: items.map((i) => i.event) });
        expectHandled(answer);
        const validIndexes = items.flatMap((it, index) => (it.valid ? [index] : []));
        if (validIndexes.length === 0) return;
        expect(answer.status).toBe(200);
        const report = JSON.parse(answer.text) as {
          accepted: number;
          rejected: { index: number }[];
        };
        // A mutated event may happen to be valid, so "at least"; but no valid one may be rejected.
        expect(report.accepted).toBeGreaterThanOrEqual(validIndexes.length);
        expect(report.rejected.map((r) => r.index).filter((i) => validIndexes.includes(i))).toEqual(
          [],
        );
        const first = items[validIndexes[0]!]!.event as { userId: string };
        stored.push(first.userId);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    // Spot-check that accepted really means stored.
    for (const userId of stored.slice(-5))
      expect(
        (await api.admin(ws.adminKey, `/api/v1/contacts/${encodeURIComponent(userId)}`)).status,
      ).toBe(200);
    await expectUp();
  });
});

// ---------------------------------------------------------------------------------------------------
// Segment definitions, mutated from the documented ones (docs/segments.md)

const VALID_CONDITIONS: Record<string, unknown>[] = [
  { type: 'trait', field: 'plan', operator: 'eq', value: 'pro' },
  { type: 'trait', field: 'email', operator: 'exists' },
  {
    type: 'event',
    check: 'performed',
    event: 'Order Completed',
    where: [{ property: 'revenue', operator: 'gte', value: 100 }],
    count: { operator: 'atLeast', value: 2 },
    window: { amount: 90, unit: 'days' },
  },
  {
    type: 'event',
    check: 'notPerformed',
    event: 'Order Completed',
    window: { amount: 21, unit: 'days' },
  },
  {
    type: 'event',
    check: 'lastPerformed',
    event: 'Order Completed',
    operator: 'moreThanAgo',
    value: { amount: 30, unit: 'days' },
  },
  {
    type: 'event',
    check: 'firstPerformed',
    event: 'Signed Up',
    operator: 'after',
    value: '2024-01-01T00:00:00Z',
  },
  { type: 'metric', metric: 'productReorderDueWithinDays', productId: 'coffee-1kg', days: 14 },
  { type: 'metric', metric: 'topCategory', operator: 'eq', value: 'Outdoor' },
  { type: 'metric', metric: 'categoryAffinity', category: 'Outdoor', operator: 'gte', value: 0.4 },
  { type: 'metric', metric: 'engagementLevel', operator: 'in', value: ['engaged', 'active'] },
];

/** Replaces, removes or adds one field somewhere in a JSON tree. */
function mutate(
  value: unknown,
  path: number[],
  action: 'replace' | 'remove' | 'add',
  replacement: unknown,
  key: string,
): unknown {
  if (value === null || typeof value !== 'object')
    return action === 'replace' ? replacement : value;
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value);
  if (entries.length === 0 || path.length === 0) {
    if (action === 'add' && !Array.isArray(value)) return { ...value, [key]: replacement };
    return action === 'replace' ? replacement : value;
  }
  const index = path[0]! % entries.length;
  const [k, child] = entries[index]!;
  if (path.length === 1 && action === 'remove') {
    if (Array.isArray(value)) return value.filter((_, i) => i !== index);
    const { [k]: _removed, ...rest } = value as Record<string, unknown>;
    return rest;
  }
  const next = mutate(child, path.slice(1), action, replacement, key);
  if (Array.isArray(value)) return value.map((v, i) => (i === index ? next : v));
  return { ...value, [k]: next };
}

const condition = fc.constantFrom(...VALID_CONDITIONS);
const { group } = fc.letrec<{ group: unknown }>((tie) => ({
  group: fc.record({
    type: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('all', 'any', 'none') },
      { weight: 1, arbitrary: fc.constantFrom('not', 'both', '', 'ALL') },
    ),
    conditions: fc.array(fc.oneof({ depthSize: 'small' }, condition, tie('group')), {
      maxLength: 4,
    }),
  }),
}));
const mutation = fc.record({
  path: fc.array(fc.nat(), { maxLength: 6 }),
  action: fc.constantFrom('replace', 'remove', 'add') as fc.Arbitrary<'replace' | 'remove' | 'add'>,
  replacement: fc.oneof(
    anyValue,
    fc.constantFrom(
      'eq',
      'gte',
      'in',
      'between',
      'regex',
      'performed',
      'days',
      'years',
      -1,
      0,
      1e9,
    ),
  ),
  key: nastyKey,
});
const hugeArray = fc.integer({ min: 1000, max: 20000 }).map((n) => ({
  type: 'trait',
  field: 'plan',
  operator: 'in',
  value: Array.from({ length: n }, (_, i) => `v${i}`),
}));
const nestedGroups = fc.integer({ min: 10, max: 600 }).map((d) => {
  let g: unknown = { type: 'all', conditions: [VALID_CONDITIONS[1]] };
  for (let i = 0; i < d; i++) g = { type: i % 2 ? 'all' : 'any', conditions: [g] };
  return g;
});
const segmentDefinition = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(group, fc.array(mutation, { maxLength: 3 }))
      .map(([g, ms]) =>
        ms.reduce((acc, m) => mutate(acc, m.path, m.action, m.replacement, m.key), g),
      ),
  },
  { weight: 1, arbitrary: hugeArray.map((c) => ({ type: 'all', conditions: [c] })) },
  { weight: 1, arbitrary: nestedGroups },
  { weight: 1, arbitrary: anyValue },
);

describe('segment definitions', () => {
  const admin = () => `Bearer ${ws.adminKey}`;
  let existing: string;

  beforeAll(async () => {
    const created = await sendJson('/api/v1/segments', admin(), {
      name: 'Fuzz base',
      definition: { type: 'all', conditions: [VALID_CONDITIONS[0]] },
    });
    expect(created.status).toBe(201);
    existing = (JSON.parse(created.text) as { id: string }).id;
  });

  it('preview, create and update answer every definition without a 5xx and name the field of a 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        segmentDefinition,
        fc.constantFrom('preview', 'create', 'update'),
        async (definition, route) => {
          const answer =
            route === 'preview'
              ? await sendJson('/api/v1/segments/preview', admin(), { definition })
              : route === 'create'
                ? await sendJson('/api/v1/segments', admin(), { name: 'Fuzzed', definition })
                : await sendJson(`/api/v1/segments/${existing}`, admin(), { definition }, 'PUT');
          expectHandled(answer);
        },
      ),
      { numRuns: RUNS },
    );
    await expectUp();
    expect(share2xx(expect.getState().currentTestName!)).toBeGreaterThan(MIN_SHARE_2XX);
  });

  it('keeps valid documented definitions valid (the generator is not all garbage)', async () => {
    for (const c of VALID_CONDITIONS) {
      const answer = await sendJson('/api/v1/segments/preview', admin(), {
        definition: { type: 'all', conditions: [c] },
      });
      expect({ c, status: answer.status, text: answer.status === 200 ? '' : answer.text }).toEqual({
        c,
        status: 200,
        text: '',
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Journey graphs

const KINDS = [
  'trigger',
  'delay',
  'waitUntil',
  'waitFor',
  'branch',
  'multiSplit',
  'randomSplit',
  'action',
  'goal',
  'exit',
];
const nodeOf = (kind: string, id: string): Record<string, unknown> => {
  switch (kind) {
    case 'trigger':
      return { id, kind, trigger: { type: 'manual' } };
    case 'delay':
      return { id, kind, duration: { amount: 1, unit: 'days' } };
    case 'branch':
      return { id, kind, condition: { on: 'profile', condition: VALID_CONDITIONS[0] } };
    case 'randomSplit':
      return {
        id,
        kind,
        variants: [
          { id: 'a', weight: 1 },
          { id: 'b', weight: 1 },
        ],
      };
    case 'action':
      return {
        id,
        kind,
        action: { type: 'webhook', version: 1 },
        config: { url: 'https://hooks.example.com/x' },
      };
    default:
      return { id, kind };
  }
};
const graph = fc
  .record({
    kinds: fc.array(
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...KINDS) },
        { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
      ),
      { minLength: 0, maxLength: 12 },
    ),
    edges: fc.array(
      fc.record({
        from: fc.nat(),
        to: fc.nat(),
        handle: fc.constantFrom('next', 'yes', 'no', 'a', 'timeout', 'else', 'bogus'),
        dangling: fc.boolean(),
      }),
      { maxLength: 16 },
    ),
    mutations: fc.array(mutation, { maxLength: 3 }),
    hugeConfig: fc.option(fc.integer({ min: 10_000, max: 200_000 }), { freq: 8 }),
    settings: fc.oneof(
      fc.constant({ reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 }),
      anyValue,
    ),
  })
  .map(({ kinds, edges, mutations, hugeConfig, settings }) => {
    const nodes = kinds.map((k, i) => nodeOf(k, `n${i}`));
    if (hugeConfig && nodes.length)
      nodes[0] = { ...nodes[0], config: { blob: 'x'.repeat(hugeConfig) } };
    const ids = nodes.map((n) => n.id as string);
    const wired = edges.map((e, i) => ({
      id: `e${i}`,
      source: ids.length ? ids[e.from % ids.length] : 'nowhere',
      sourceHandle: e.handle,
      // Dangling edges point at nodes that do not exist; the rest may close cycles.
      target: e.dangling || !ids.length ? `missing-${e.to}` : ids[e.to % ids.length],
    }));
    const definition = { name: 'Fuzzed journey', settings, nodes, edges: wired };
    return mutations.reduce<unknown>(
      (acc, m) => mutate(acc, m.path, m.action, m.replacement, m.key),
      definition,
    );
  });

describe('journey graphs', () => {
  const admin = () => `Bearer ${ws.adminKey}`;
  let existing: string;

  beforeAll(async () => {
    const created = await sendJson('/api/v1/journeys', admin(), {
      name: 'Fuzz base',
      definition: {
        name: 'Fuzz base',
        settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
        nodes: [nodeOf('trigger', 'start'), nodeOf('exit', 'done')],
        edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'done' }],
      },
    });
    expect(created.status).toBe(201);
    existing = (JSON.parse(created.text) as { id: string }).id;
  });

  it('validate, create, update and import answer every graph without a 5xx and name the field of a 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 6, arbitrary: graph }, { weight: 1, arbitrary: anyValue }),
        fc.constantFrom('validate', 'create', 'update', 'import'),
        async (definition, route) => {
          const answer =
            route === 'validate'
              ? await sendJson('/api/v1/journeys/validate', admin(), { definition })
              : route === 'create'
                ? await sendJson('/api/v1/journeys', admin(), { name: 'Fuzzed', definition })
                : route === 'update'
                  ? await sendJson(`/api/v1/journeys/${existing}`, admin(), { definition }, 'PUT')
                  : await sendJson('/api/v1/journeys/import', admin(), { definition });
          expectHandled(answer);
        },
      ),
      { numRuns: RUNS },
    );
    await expectUp();
  });
});

// ---------------------------------------------------------------------------------------------------
// Imports

const ndjsonLine = fc.oneof(
  validEvent.map((e) => JSON.stringify(e)),
  mutatedEvent.map((e) => JSON.stringify(e)),
  fc.string({ maxLength: 80 }),
  fc.constantFrom('', '{', '}', '\r', '\u0000', '[1,2]', 'null', '{"type":"track"}'),
);
const csvText = fc.oneof(
  fc
    .array(
      fc.array(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom(
            '"',
            '""',
            ',',
            '\n',
            'userId',
            'traits.__proto__',
            'properties.a.b',
            'type',
            'event',
            'timestamp',
          ),
        ),
        { maxLength: 6 },
      ),
      { maxLength: 8 },
    )
    .map((rows) => rows.map((r) => r.join(',')).join('\n')),
  fc.string({ maxLength: 300 }).map((s) => `userId,traits.plan\n${s}`),
);

describe('imports', () => {
  it('stream a final report for any NDJSON or CSV, without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .array(ndjsonLine, { maxLength: 20 })
            .map((lines) => ({ format: 'ndjson', body: lines.join('\n') })),
          csvText.map((body) => ({ format: 'csv', body })),
        ),
        async ({ format, body }) => {
          const answer = await send('/api/v1/imports', {
            auth: `Bearer ${ws.adminKey}`,
            body,
            type: format === 'csv' ? 'text/csv' : 'application/x-ndjson',
          });
          expectHandled(answer);
          expect(answer.status).toBe(200);
          const last = JSON.parse(answer.text.trim().split('\n').pop()!) as {
            type: string;
            detail?: string;
            errors: { row: number; errors: { path: string }[] }[];
          };
          // Bad rows are reported with their row and field, and the import goes on; only a CSV it cannot parse stops it.
          if (last.type === 'failed')
            expect({ format, detail: last.detail }).toEqual({
              format: 'csv',
              detail: expect.stringMatching(/^(Invalid|Quote|CSV|.*(quote|field|record))/i),
            });
          else expect(last.type).toBe('done');
          for (const row of last.errors)
            expect(row.errors.every((e) => e.path.length > 0)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
    await expectUp();
  });
});

// ---------------------------------------------------------------------------------------------------
// Counter-examples the properties above found, kept as plain regression tests.

describe('regressions found by fuzzing', () => {
  const admin = (path: string, body?: unknown, method?: string) =>
    api.admin(ws.adminKey, path, {
      ...(body === undefined ? {} : { body }),
      ...(method ? { method } : {}),
    });
  const contact = async (userId: string) =>
    (await (await admin(`/api/v1/contacts/${encodeURIComponent(userId)}`)).json()) as {
      traits: Record<string, unknown>;
      profile: { purchases: { totalRevenue: number } };
    };

  it('stores arrays inside arrays (FerretDB refuses them as such) and gives them back', async () => {
    expectHandled(
      await sendJson('/v1/batch?wait=folded', basic(), {
        batch: [
          { type: 'identify', userId: 'rg-nested', traits: { $set: [[]], matrix: [[1, 2], [3]] } },
        ],
      }),
    );
    const c = await contact('rg-nested');
    expect(c.traits).toMatchObject({ $set: [[]], matrix: [[1, 2], [3]] });
  });

  it('stores keys with NUL bytes, blank or space-padded names, and constructor keys; refuses __proto__ keys naming them', async () => {
    const raw =
      '{"type":"identify","userId":"rg-keys","traits":{"a\\u0000b":{},"\\u0000":"","":[{}],"Y% z ":1,"constructor":{"prototype":null}}}';
    const answer = await send('/v1/identify?wait=folded', {
      auth: basic(),
      body: raw,
      type: 'application/json',
    });
    expect(answer.status).toBe(200);
    const c = await contact('rg-keys');
    expect(c.traits['a\u0000b']).toEqual({});
    expect(c.traits['Y% z ']).toBe(1);
    expect(JSON.stringify(c.traits.constructor)).toBe('{"prototype":null}');
    // A "__proto__" key cannot be kept as sent, so it is refused with its path rather than dropped.
    const proto = await send('/v1/identify', {
      auth: basic(),
      body: '{"userId":"rg-keys","traits":{"constructor":{"__proto__":{"polluted":1}}}}',
      type: 'application/json',
    });
    expect(proto.status).toBe(400);
    expect(JSON.parse(proto.text)).toMatchObject({
      errors: [{ path: 'traits.constructor.__proto__' }],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const tracked = await sendJson('/v1/track', basic(), {
      userId: 'rg-keys',
      event: 'Fuzzed',
      properties: { '': [{}], 'Y% z ': 1, constructor: { prototype: null } },
    });
    expect(tracked.status).toBe(200);
  });

  it('keeps profile figures finite for numbers near the double limit', async () => {
    for (let i = 0; i < 2; i++)
      expect(
        (
          await sendJson('/v1/track?wait=folded', basic(), {
            userId: 'rg-huge',
            event: 'Order Completed',
            messageId: `rg-huge-${i}`,
            properties: { revenue: 1e308 },
          })
        ).status,
      ).toBe(200);
    expect((await contact('rg-huge')).profile.purchases.totalRevenue).toBe(Number.MAX_VALUE);
  });

  it('names the body as the field of a JSON syntax error', async () => {
    for (const path of ['/v1/track', '/api/v1/segments']) {
      const answer = await send(path, {
        auth: path.startsWith('/api') ? `Bearer ${ws.adminKey}` : basic(),
        body: '{"userId":"x",',
        type: 'application/json',
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({
        errors: [{ path: '(body)', message: expect.stringMatching(/^not valid JSON/) }],
      });
    }
    // Segment libraries' text/plain beacons are parsed by the route itself, with the same answer.
    const beacon = await send('/v1/track', {
      auth: basic(),
      body: '{"userId":',
      type: 'text/plain',
    });
    expect(JSON.parse(beacon.text)).toMatchObject({ errors: [{ path: '(body)' }] });
  });

  it('refuses absurdly nested segment groups and management bodies with a 400 naming where', async () => {
    let group: unknown = {
      type: 'all',
      conditions: [{ type: 'trait', field: 'email', operator: 'exists' }],
    };
    for (let i = 0; i < 200; i++) group = { type: 'any', conditions: [group] };
    const segment = await admin('/api/v1/segments', { name: 'Deep', definition: group });
    expect(segment.status).toBe(400);
    expect(((await segment.json()) as { errors: { path: string }[] }).errors[0]!.path).toMatch(
      /^definition\.conditions\[0\]\.conditions\[0\]|^conditions\[0\]/,
    );
    const journey = await admin('/api/v1/journeys/validate', {
      definition: { nodes: [{ id: 'n', kind: 'action', config: deep(100, 1, false) }] },
    });
    expect(journey.status).toBe(400);
    expect(
      ((await journey.json()) as { errors: { path: string; message: string }[] }).errors[0],
    ).toMatchObject({
      path: expect.stringMatching(/^definition\.nodes\[0\]\.config\.n\.n/),
      message: expect.stringMatching(/nests deeper than 64 levels/),
    });
    const event = await sendJson('/v1/track', basic(), {
      userId: 'rg-deep',
      event: 'Deep',
      properties: { x: deep(100, 1, true) },
    });
    expect(event.status).toBe(400);
    expect(JSON.parse(event.text)).toMatchObject({
      errors: [
        {
          path: expect.stringMatching(/^properties\.x\[0\]\[0\]/),
          message: expect.stringMatching(/nests deeper than 32 levels/),
        },
      ],
    });
  });
});
