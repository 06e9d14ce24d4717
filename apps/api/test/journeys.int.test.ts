import { contactKey, contactModel, findContactJourneys } from '@cairn/db';
import { JourneyDispatcher } from '@cairn/worker';
import { startApi, type RunningApi } from './harness';
import { eventually, startJourneyWorker } from './journey-worker';

/** Signed Up → tag the contact → wait a day → exit: small, and it holds the contact long enough to pause it. */
const onboarding = {
  name: 'Onboarding tag',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    {
      id: 'trigger',
      kind: 'trigger',
      trigger: {
        type: 'event',
        event: 'Signed Up',
        filters: [{ path: 'plan', operator: 'eq', value: 'pro' }],
      },
    },
    {
      id: 'tag',
      kind: 'action',
      action: { type: 'updateContact', version: 1 },
      config: { addTags: ['onboarding'], setTraits: { stage: 'onboarding' } },
    },
    { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
    { id: 'exit', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'tag' },
    { id: 'e2', source: 'tag', sourceHandle: 'next', target: 'wait' },
    { id: 'e3', source: 'wait', sourceHandle: 'next', target: 'exit' },
  ],
};

describe('journeys API on the dev server', () => {
  let api: RunningApi;
  let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;
  let adminKey: string;
  let writeKey: string;
  let workspaceId: string;

  beforeAll(async () => {
    api = await startApi();
    const ws = await api.workspace();
    adminKey = ws.adminKey;
    writeKey = ws.writeKey;
    workspaceId = ws.workspace._id;
    journeyWorker = await startJourneyWorker(api);
  }, 180_000);

  afterAll(async () => {
    await journeyWorker?.stop();
    await api?.close();
  });

  const call = async (path: string, init?: { method?: string; body?: unknown }) => {
    const res = await api.admin(adminKey, `/api/v1${path}`, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };

  it('refuses to publish an invalid graph with a message per node', async () => {
    const created = await call('/journeys', {
      body: {
        name: 'Broken',
        definition: {
          ...onboarding,
          nodes: [
            {
              id: 'trigger',
              kind: 'trigger',
              trigger: { type: 'segmentEntered', segmentId: 'no-such-segment' },
            },
            { id: 'sms', kind: 'action', action: { type: 'sms', version: 1 }, config: {} },
            { id: 'lonely', kind: 'delay', duration: { amount: 1, unit: 'days' } },
          ],
          edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'sms' }],
        },
      },
    });
    expect(created.status).toBe(201);
    const published = await call(`/journeys/${created.body.id}/publish`, { method: 'POST' });
    expect(published.status).toBe(422);
    expect(published.headers.get('content-type')).toMatch(/problem\+json/);
    const byNode = (id: string) =>
      published.body.errors
        .filter((e: { nodeId?: string }) => e.nodeId === id)
        .map((e: { message: string }) => e.message);
    expect(byNode('trigger').join(' ')).toMatch(/no-such-segment/);
    expect(byNode('sms').join(' ')).toMatch(/sms@1|not installed|unknown/);
    expect(byNode('lonely').join(' ')).toMatch(/cannot be reached/);
    expect((await call(`/journeys/${created.body.id}`)).body).toMatchObject({
      status: 'draft',
      versions: [],
    });

    const validated = await call('/journeys/validate', { body: { definition: onboarding } });
    expect(validated).toMatchObject({ status: 200, body: { errors: [] } });
    const badDraft = await call('/journeys', {
      body: { name: 'x', definition: { name: 'x', nodes: 'nope' } },
    });
    expect(badDraft.status).toBe(400);
    expect(badDraft.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['definition.nodes', 'definition.settings']),
    );
  });

  it('publishes through the API; an ingested event enrols the contact, the run is found by search attribute, tagged, paused, resumed and archived', async () => {
    const created = await call('/journeys', {
      body: { name: 'Onboarding tag', definition: onboarding },
    });
    const id = created.body.id as string;
    expect(await call(`/journeys/${id}/publish`, { method: 'POST' })).toMatchObject({
      status: 200,
      body: { version: 1 },
    });
    const detail = await call(`/journeys/${id}`);
    expect(detail.body).toMatchObject({
      id,
      status: 'published',
      publishedVersion: 1,
      versions: [{ version: 1 }],
    });
    expect((await call(`/journeys/${id}/versions/1`)).body.definition.nodes).toHaveLength(4);

    // Another workspace cannot see it.
    const other = await api.workspace('Other');
    expect((await api.admin(other.adminKey, `/api/v1/journeys/${id}`)).status).toBe(404);

    // The real ingestion path: the event lands in journey_triggers; the dispatcher starts the run.
    const contactId = `user-${Date.now()}`;
    const ingested = await api.ingest(writeKey, '/v1/track', {
      userId: contactId,
      event: 'Signed Up',
      properties: { plan: 'pro' },
      messageId: `m-${contactId}`,
    });
    expect(ingested.status).toBeLessThan(300);
    await api.ingest(writeKey, '/v1/track', {
      userId: 'free-user',
      event: 'Signed Up',
      properties: { plan: 'free' },
      messageId: 'm-free',
    });
    const dispatcher = new JourneyDispatcher({
      db: api.db,
      client: api.ctx.temporal.client,
      taskQueue: api.ctx.temporal.taskQueue,
    });
    await eventually(
      'the trigger to be dispatched',
      async () => (await dispatcher.dispatchOnce()).enrolled >= 1 || undefined,
    );

    const found = await eventually('the run in visibility', async () => {
      const ids: string[] = [];
      for await (const wf of api.ctx.temporal.client.workflow.list({
        query: `CairnContactId = '${contactId}' AND CairnJourneyId = '${id}'`,
      }))
        ids.push(wf.workflowId);
      return ids.length > 0 ? ids : undefined;
    });
    expect(found).toEqual([`journey:${workspaceId}:${id}:${contactId}`]);
    expect(await findContactJourneys(api.db.connection, workspaceId, 'free-user')).toBeNull();

    // The action ran once on the contacts document; the run now waits on its one-day delay.
    const contact = await eventually('the contact to be tagged', async () => {
      const doc = await contactModel(api.db.connection)
        .findById(contactKey(workspaceId, contactId))
        .lean();
      return doc?.tags.includes('onboarding') ? doc : undefined;
    });
    expect(contact.traits).toMatchObject({ stage: 'onboarding' });
    const handle = api.ctx.temporal.client.workflow.getHandle(found[0]!);
    await eventually(
      'the run to wait',
      async () =>
        ((await handle.query('position')) as { status?: string } | undefined)?.status === 'waiting',
    );

    const stats = await call(`/journeys/${id}/stats`);
    expect(stats.body.nodes.tag).toMatchObject({ entered: 1, outputs: { next: 1 } });
    expect(stats.body.nodes.wait).toMatchObject({ entered: 1, waiting: 1 });
    expect(stats.body.series.at(-1)).toMatchObject({ enrolled: 1 });
    const list = await call('/journeys');
    expect(list.body.find((j: { id: string }) => j.id === id)).toMatchObject({
      status: 'published',
      publishedVersion: 1,
      stats: { entered: 1, active: 1, converted: 0 },
    });

    expect(await call(`/journeys/${id}/pause`, { method: 'POST' })).toMatchObject({
      status: 200,
      body: { status: 'paused', signalled: 1 },
    });
    await eventually(
      'the run to hold',
      async () => ((await handle.query('position')) as { paused: boolean }).paused,
    );
    expect(await call(`/journeys/${id}/resume`, { method: 'POST' })).toMatchObject({
      status: 200,
      body: { status: 'published', signalled: 1 },
    });
    await eventually(
      'the run to go on',
      async () => !((await handle.query('position')) as { paused: boolean }).paused,
    );

    expect((await call(`/journeys/${id}/archive`, { method: 'POST' })).body).toMatchObject({
      status: 'archived',
    });
    expect(await handle.result()).toMatchObject({ status: 'stopped' });
    const runs = await findContactJourneys(api.db.connection, workspaceId, contactId);
    expect(runs?.runs[id]).toMatchObject({
      status: 'stopped',
      steps: [{ nodeId: 'trigger' }, { nodeId: 'tag', output: 'next' }],
    });
    expect((await call(`/journeys/${id}/stats`)).body.nodes.wait).toMatchObject({ waiting: 0 });
  }, 120_000);

  it('enrols by hand through the path the dispatcher takes: the two at once start one run and count one entrant', async () => {
    const created = await call('/journeys', {
      body: { name: 'Both ways', definition: onboarding },
    });
    const id = created.body.id as string;
    await call(`/journeys/${id}/publish`, { method: 'POST' });
    const contactId = `both-${Date.now()}`;
    // The event puts a trigger in the outbox; the request enrols the same contact by hand meanwhile.
    await api.ingest(writeKey, '/v1/track', {
      userId: contactId,
      event: 'Signed Up',
      properties: { plan: 'pro' },
      messageId: `m-${contactId}`,
    });
    const dispatcher = new JourneyDispatcher({
      db: api.db,
      client: api.ctx.temporal.client,
      taskQueue: api.ctx.temporal.taskQueue,
    });
    const [byHand, pass] = await Promise.all([
      call(`/journeys/${id}/enroll`, { body: { contactId } }),
      eventually('the trigger to be dispatched', async () => {
        const report = await dispatcher.dispatchOnce();
        return report.processed > 0 ? report : undefined;
      }),
    ]);
    // Whichever came first enrolled; the other was refused by the same re-entry rule, not a second run.
    expect([byHand.status === 202 ? 1 : 0, pass.enrolled].sort()).toEqual([0, 1]);
    if (byHand.status !== 202) expect(byHand.status).toBe(409);
    const workflowId = `journey:${workspaceId}:${id}:${contactId}`;
    const runIds = await eventually('the run in visibility', async () => {
      const ids: string[] = [];
      for await (const wf of api.ctx.temporal.client.workflow.list({
        query: `WorkflowId = '${workflowId}'`,
      }))
        ids.push(wf.runId);
      return ids.length > 0 ? ids : undefined;
    });
    expect(runIds).toHaveLength(1);
    const list = await call('/journeys');
    expect(list.body.find((j: { id: string }) => j.id === id)).toMatchObject({
      stats: { entered: 1, active: 1 },
    });
    expect((await call(`/journeys/${id}/stats`)).body.series.at(-1)).toMatchObject({
      enrolled: 1,
    });
    await api.ctx.temporal.client.workflow.getHandle(workflowId).signal('control', 'stop');
  }, 120_000);

  it('enrols by hand, refuses a second enrolment, exports and imports, and lists the catalog and templates', async () => {
    const created = await call('/journeys', {
      body: {
        name: 'Manual',
        definition: {
          ...onboarding,
          nodes: [
            { ...onboarding.nodes[0], trigger: { type: 'manual' } },
            ...onboarding.nodes.slice(1),
          ],
        },
      },
    });
    const id = created.body.id as string;
    await api.ingest(writeKey, '/v1/identify', {
      userId: 'manual-1',
      traits: { email: 'm@example.test' },
      messageId: 'id-manual-1',
    });
    const early = await call(`/journeys/${id}/enroll`, { body: { contactId: 'manual-1' } });
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/not published/);
    await call(`/journeys/${id}/publish`, { method: 'POST' });
    expect((await call(`/journeys/${id}/enroll`, { body: { contactId: 'nobody' } })).status).toBe(
      404,
    );
    const enrolled = await call(`/journeys/${id}/enroll`, { body: { contactId: 'manual-1' } });
    expect(enrolled).toMatchObject({
      status: 202,
      body: { workflowId: `journey:${workspaceId}:${id}:manual-1`, version: 1 },
    });
    const again = await call(`/journeys/${id}/enroll`, { body: { contactId: 'manual-1' } });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already in this journey/);
    // The enrolment is in the audit log once; the refused ones are not.
    const log = await call(`/audit?resourceType=journey&resourceId=${id}`);
    const enrolments = log.body.entries.filter(
      (e: { action: string }) => e.action === 'journey.contactEnrolled',
    );
    expect(enrolments).toHaveLength(1);
    expect(enrolments[0].changes).toEqual([{ path: 'contactId', before: null, after: 'manual-1' }]);
    await api.ctx.temporal.client.workflow
      .getHandle(enrolled.body.workflowId)
      .signal('control', 'stop');

    const exported = await api.admin(adminKey, `/api/v1/journeys/${id}/export`);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment/);
    const file = (await exported.json()) as { definition: unknown };
    const imported = await call('/journeys/import', { body: file });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({
      name: 'Manual',
      status: 'draft',
      draft: file.definition,
    });
    expect(imported.body.id).not.toBe(id);

    const catalog = await call('/catalog/actions');
    expect(
      catalog.body.map((m: { type: string; version: number }) => `${m.type}@${m.version}`),
    ).toEqual(expect.arrayContaining(['email@1', 'webhook@1', 'updateContact@1']));
    const templates = await call('/journeys/templates');
    expect(templates.body.map((t: { id: string }) => t.id)).toContain('streaming-win-back');
  }, 60_000);
});
