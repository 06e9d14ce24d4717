import { NativeConnection, Worker } from '@temporalio/worker';
import { createActionRegistry } from '@cairn/actions';
import {
  bundleCairnWorkflows,
  createJourneyActivities,
  createSegmentActivities,
  ensureSearchAttributes,
  JourneyDispatcher,
  type DispatchReport,
} from '@cairn/worker';
import { startApi, type RunningApi } from './harness';
import { startSmtpCapture } from './smtp-capture';

/**
 * A real Cairn worker on the API's task queue, so journeys published over HTTP run their workflows:
 * journey activities, and segment activities too when asked (creating a segment starts its backfill there).
 */
export async function startJourneyWorker(
  api: RunningApi,
  options: { segments?: boolean } = {},
): Promise<{ stop(): Promise<void> }> {
  await ensureSearchAttributes(api.ctx.temporal.connection, api.ctx.temporal.namespace);
  const native = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection: native,
    namespace: api.ctx.temporal.namespace,
    taskQueue: api.ctx.temporal.taskQueue,
    workflowBundle: await bundleCairnWorkflows(),
    activities: {
      ...(options.segments ? createSegmentActivities(api.db.connection) : {}),
      ...createJourneyActivities({
        db: api.db,
        client: api.ctx.temporal.client,
        taskQueue: api.ctx.temporal.taskQueue,
        registry: createActionRegistry(api.ctx.config),
        // As the worker's main.ts: steps open stored credentials with the same secret as the API.
        ...(api.ctx.config.CAIRN_SECRET_KEY ? { secretKey: api.ctx.config.CAIRN_SECRET_KEY } : {}),
      }),
    },
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running.catch(() => undefined);
      await native.close();
    },
  };
}

/** Polls `probe` until it answers something truthy, or fails naming `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** An edge of a journey definition, its id made from where it starts. */
export const edge = (source: string, sourceHandle: string, target: string) => ({
  id: `${source}-${sourceHandle}`,
  source,
  sourceHandle,
  target,
});

/** Enters on `trigger`, waits for "Go" (a day at most), then sets `setTraits` on the contact. */
export function waitForGoThenMark(journey: {
  name: string;
  trigger: unknown;
  setTraits: Record<string, unknown>;
  settings?: Record<string, unknown>;
}) {
  return {
    name: journey.name,
    settings: {
      reentry: { policy: 'afterExit' },
      exitOnSegmentExit: false,
      holdoutPercent: 0,
      ...journey.settings,
    },
    nodes: [
      { id: 'trigger', kind: 'trigger', trigger: journey.trigger },
      {
        id: 'wait-go',
        kind: 'waitFor',
        for: { type: 'event', event: 'Go' },
        timeout: { amount: 1, unit: 'days' },
      },
      {
        id: 'mark',
        kind: 'action',
        action: { type: 'updateContact', version: 1 },
        config: { setTraits: journey.setTraits },
      },
      { id: 'exit', kind: 'exit' },
    ],
    edges: [
      edge('trigger', 'next', 'wait-go'),
      edge('wait-go', 'matched', 'mark'),
      edge('wait-go', 'timeout', 'exit'),
      edge('mark', 'next', 'exit'),
    ],
  };
}

/**
 * A workspace of its own (so outboxes and segments do not mix between tests) and what the journey tests do
 * to it over HTTP: `Contact` is the shape of `GET /contacts/:id` the test reads.
 */
export async function journeyWorkspace<Contact = unknown>(api: RunningApi, name: string) {
  const ws = await api.workspace(name);
  const call = async <T = unknown>(path: string, body?: unknown, method?: string) => {
    const res = await api.admin(ws.adminKey, `/api/v1${path}`, {
      body,
      ...(method ? { method } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  };
  const send = async (type: 'identify' | 'track', payload: Record<string, unknown>) => {
    const res = await api.ingest(ws.writeKey, `/v1/${type}`, payload);
    expect(res.status).toBe(200);
  };
  const contact = async (id: string) =>
    (await call<Contact>(`/contacts/${encodeURIComponent(id)}`)).body;
  /**
   * Dispatches until the outbox is empty and sums what the passes did. A fresh dispatcher each time: one
   * caches the published journeys for 2 s, and these tests publish and send within that.
   */
  const dispatchAll = async () => {
    const dispatcher = new JourneyDispatcher({
      db: api.db,
      client: api.ctx.temporal.client,
      taskQueue: api.ctx.temporal.taskQueue,
    });
    const total: Pick<DispatchReport, 'enrolled' | 'skipped'> = { enrolled: 0, skipped: {} };
    for (let pass = 0; pass < 50; pass++) {
      const report = await dispatcher.dispatchOnce();
      total.enrolled += report.enrolled;
      for (const [reason, n] of Object.entries(report.skipped))
        total.skipped[reason] = (total.skipped[reason] ?? 0) + n;
      if (report.processed === 0 && report.failed === 0) return total;
      if (report.failed > 0) await new Promise((r) => setTimeout(r, 1000));
    }
    return total;
  };
  /** Creates and publishes a journey; its id and what publishing answered. */
  const publishNew = async (definition: { name: string }, publishBody: unknown = {}) => {
    const created = await call<{ id: string }>('/journeys', { name: definition.name, definition });
    expect(created.status).toBe(201);
    const published = await call(`/journeys/${created.body.id}/publish`, publishBody);
    expect(published.status).toBe(200);
    return { id: created.body.id, published: published.body };
  };
  return { ...ws, call, send, contact, dispatchAll, publishNew };
}

/**
 * For a file whose journeys send email: an SMTP capture, the API sending through it and a journey worker,
 * started before its tests and stopped after; `ready` receives them once started.
 */
export function useJourneyApiWithSmtp(
  options: { secretKey: string; segments?: boolean },
  ready: (started: { api: RunningApi; smtp: Awaited<ReturnType<typeof startSmtpCapture>> }) => void,
): void {
  let api: RunningApi | undefined;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>> | undefined;
  let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>> | undefined;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    api = await startApi({
      env: {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        // email@1 signs its open, click and unsubscribe links with it.
        CAIRN_SECRET_KEY: options.secretKey,
      },
    });
    journeyWorker = await startJourneyWorker(api, { segments: options.segments ?? false });
    ready({ api, smtp });
  }, 180_000);
  afterAll(async () => {
    await journeyWorker?.stop();
    await api?.close();
    await smtp?.close();
  });
}
