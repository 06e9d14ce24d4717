import { findContactJourneys } from '@cairn/db';
import { JourneyDispatcher } from '@cairn/worker';
import { startApi, type RunningApi } from './harness';
import { eventually, startJourneyWorker } from './journey-worker';

/**
 * Signed Up → pro plan? yes: goal, then exit at once; no: wait a day (archiving stops them there). A
 * goal met anywhere pulls the contact to it, so pro contacts jump from the trigger straight to the goal.
 */
const byPlan = {
  name: 'Plan split',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'free-wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
    { id: 'free-done', kind: 'exit' },
    { id: 'pro-done', kind: 'exit' },
    {
      id: 'upgraded',
      kind: 'goal',
      condition: { on: 'entryEvent', filters: [{ path: 'plan', operator: 'eq', value: 'pro' }] },
    },
    {
      id: 'is-pro',
      kind: 'branch',
      condition: { on: 'entryEvent', filters: [{ path: 'plan', operator: 'eq', value: 'pro' }] },
    },
    { id: 'signed-up', kind: 'trigger', trigger: { type: 'event', event: 'Signed Up' } },
  ],
  edges: [
    { id: 'e1', source: 'signed-up', sourceHandle: 'next', target: 'is-pro' },
    { id: 'e2', source: 'is-pro', sourceHandle: 'no', target: 'free-wait' },
    { id: 'e3', source: 'is-pro', sourceHandle: 'yes', target: 'upgraded' },
    { id: 'e4', source: 'upgraded', sourceHandle: 'next', target: 'pro-done' },
    { id: 'e5', source: 'free-wait', sourceHandle: 'next', target: 'free-done' },
  ],
};

const PRO = ['ana', 'bo', 'cy'];
const FREE = ['dee', 'eli'];

describe('journey funnel and runs export over HTTP', () => {
  let api: RunningApi;
  let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;
  let adminKey: string;
  let workspaceId: string;
  let journeyId: string;

  const call = async (path: string, init?: { method?: string; body?: unknown }) => {
    const res = await api.admin(adminKey, `/api/v1${path}`, init);
    const text = await res.text();
    const json = res.headers.get('content-type')?.includes('json');
    return {
      status: res.status,
      body: json && text ? JSON.parse(text) : text,
      headers: res.headers,
    };
  };

  beforeAll(async () => {
    api = await startApi();
    const ws = await api.workspace();
    adminKey = ws.adminKey;
    workspaceId = ws.workspace._id;
    journeyWorker = await startJourneyWorker(api);

    const created = await call('/journeys', { body: { name: 'Plan split', definition: byPlan } });
    journeyId = created.body.id as string;
    expect((await call(`/journeys/${journeyId}/publish`, { method: 'POST' })).status).toBe(200);
    for (const userId of [...PRO, ...FREE])
      await api.ingest(ws.writeKey, '/v1/track', {
        userId,
        event: 'Signed Up',
        properties: { plan: PRO.includes(userId) ? 'pro' : 'free' },
        messageId: `signup-${userId}`,
      });
    const dispatcher = new JourneyDispatcher({
      db: api.db,
      client: api.ctx.temporal.client,
      taskQueue: api.ctx.temporal.taskQueue,
    });
    let enrolled = 0;
    await eventually('five enrolments', async () => {
      enrolled += (await dispatcher.dispatchOnce()).enrolled;
      return enrolled >= 5;
    });
    const runOf = async (contactId: string) =>
      (await findContactJourneys(api.db.connection, workspaceId, contactId))?.runs[journeyId];
    await eventually('pro runs to finish and free runs to wait', async () => {
      for (const c of PRO) if ((await runOf(c))?.status !== 'completed') return false;
      for (const c of FREE) if ((await runOf(c))?.nodeId !== 'free-wait') return false;
      return true;
    });
    // Archiving stops the two runs still waiting: they leave the funnel as "stopped".
    expect((await call(`/journeys/${journeyId}/archive`, { method: 'POST' })).status).toBe(200);
    await eventually('free runs to stop', async () => {
      for (const c of FREE) if ((await runOf(c))?.status !== 'stopped') return false;
      return true;
    });
  }, 180_000);

  afterAll(async () => {
    await journeyWorker?.stop();
    await api?.close();
  });

  it('counts today: entered, each step in graph order, converted, and exits by reason', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const funnel = await call(`/journeys/${journeyId}/funnel?from=${today}&to=${today}`);
    expect(funnel.status).toBe(200);
    expect(funnel.body).toMatchObject({
      from: today,
      to: today,
      entered: 5,
      converted: PRO.length,
      steps: [
        { nodeId: 'signed-up', kind: 'trigger', reached: 5 },
        // Pro contacts met the goal at entry and jumped past the branch (docs/journeys.md, `goal`).
        { nodeId: 'is-pro', kind: 'branch', reached: FREE.length },
        { nodeId: 'upgraded', kind: 'goal', reached: PRO.length },
        { nodeId: 'free-wait', kind: 'delay', reached: FREE.length },
        { nodeId: 'pro-done', kind: 'exit', reached: PRO.length },
        { nodeId: 'free-done', kind: 'exit', reached: 0 },
      ],
      exits: [
        { reason: 'exit', runs: PRO.length },
        { reason: 'stopped', runs: FREE.length },
      ],
    });
    expect(funnel.body.days).toEqual([
      { day: today, entered: 5, converted: PRO.length, exited: 5 },
    ]);

    // The default period is the last 30 days, today included; a past period saw nothing.
    const recent = await call(`/journeys/${journeyId}/funnel`);
    expect(recent.body.days).toHaveLength(30);
    expect(recent.body).toMatchObject({ to: today, entered: 5 });
    const past = await call(`/journeys/${journeyId}/funnel?from=2020-01-01&to=2020-01-31`);
    expect(past.body).toMatchObject({ entered: 0, converted: 0, exits: [] });
    expect(past.body.steps.every((s: { reached: number }) => s.reached === 0)).toBe(true);
  });

  it('answers a bad period with problem+json naming the field', async () => {
    const month13 = await call(`/journeys/${journeyId}/funnel?from=2026-13-01`);
    expect(month13.status).toBe(400);
    expect(month13.headers.get('content-type')).toContain('application/problem+json');
    expect(month13.body.errors).toEqual([
      { path: 'from', message: expect.stringContaining('YYYY-MM-DD') },
    ]);
    const words = await call(`/journeys/${journeyId}/funnel?to=yesterday`);
    expect(words.body.errors).toEqual([
      { path: 'to', message: expect.stringContaining('YYYY-MM-DD') },
    ]);
    const reversed = await call(`/journeys/${journeyId}/funnel?from=2026-03-02&to=2026-03-01`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors).toEqual([
      { path: 'from', message: 'must be on or before to (2026-03-01)' },
    ]);
    const long = await call(`/journeys/${journeyId}/funnel?from=2020-01-01&to=2026-01-01`);
    expect(long.body.errors).toEqual([
      { path: 'from', message: 'must be on or after 2024-11-28: a period spans at most 400 days' },
    ]);
    expect((await call('/journeys/no-such-journey/funnel')).status).toBe(404);
  });

  it('exports one CSV row per run with where it is and why it ended', async () => {
    const csv = await call(`/journeys/${journeyId}/runs.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain(`${journeyId}-runs.csv`);
    const [header, ...lines] = (csv.body as string).trim().split('\n');
    expect(header).toBe(
      'contactId,status,currentNode,enteredAt,finishedAt,exitReason,detail,key,version',
    );
    expect(lines).toHaveLength(5);
    const rows = new Map(lines.map((l) => [l.split(',')[0], l.split(',')]));
    for (const c of PRO)
      expect(rows.get(c)).toEqual([
        c,
        'completed',
        'pro-done',
        expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        'exit',
        '',
        '',
        '1',
      ]);
    for (const c of FREE)
      expect(
        rows
          .get(c)
          ?.slice(0, 3)
          .concat(rows.get(c)?.[5] ?? ''),
      ).toEqual([c, 'stopped', 'free-wait', 'stopped']);

    const converted = await call(`/journeys/${journeyId}/runs.csv?status=completed`);
    expect((converted.body as string).trim().split('\n')).toHaveLength(1 + PRO.length);
    const bad = await call(`/journeys/${journeyId}/runs.csv?status=done`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { path: 'status', message: expect.stringContaining('converted') },
    ]);
  });
});
