import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient, type Db } from 'mongodb';
import { freePort, startStack, type RunningStack } from '@cairn/dev-stack';
import { CairnProcess, eventually, repoRoot } from './processes.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

type ManagedService = RunningStack['services'][number];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a drill reads whatever JSON the API answered
type ApiBody = any;

export interface Drill {
  stack: RunningStack;
  temporal: ManagedService;
  ferretdb: ManagedService;
  api: CairnProcess;
  worker: CairnProcess;
  sink: SmtpSink;
  apiUrl: string;
  workspaceId: string;
  writeKey: string;
  adminKey: string;
  /** A direct connection for checking what was stored (never used to make the drill pass). */
  db: Db;
  ingest(path: string, body: unknown): Promise<Response>;
  admin(
    path: string,
    init?: { method?: string; body?: unknown },
  ): Promise<{ status: number; body: ApiBody; headers: Headers }>;
  /** Waits until the API answers /healthz (the process is up; dependencies may still be down). */
  apiUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const SECRET = 'fault-drill-secret-key-0123456789abcdef';

/**
 * A whole Cairn of its own: a fresh embedded stack (own FerretDB and Temporal, whose processes the
 * drill may stop), the real API and worker as child processes, an SMTP sink and a workspace.
 */
export async function startDrill(name: string): Promise<Drill> {
  const instance = `faults-${name}-${process.pid}`;
  const { MONGO_URL: _m, TEMPORAL_ADDRESS: _t, ...env } = process.env;
  const stack = await startStack({
    instance,
    fresh: true,
    ephemeral: true,
    env,
    log: () => undefined,
  });
  const byName = (n: string) => {
    const s = stack.services.find((x) => x.name === n);
    if (!s) throw new Error(`the drill needs its own ${n}; the stack did not start one`);
    return s;
  };
  const sink = await startSmtpSink();
  const port = await freePort();
  const logDir = join(repoRoot, 'test-artifacts', 'faults', name);
  mkdirSync(logDir, { recursive: true });
  const processEnv: Record<string, string> = {
    ...stack.env,
    MONGO_DB: `faults_${name.replace(/\W/g, '_')}`,
    TEMPORAL_TASK_QUEUE: `faults-${name}`,
    CAIRN_API_HOST: '127.0.0.1',
    CAIRN_API_PORT: String(port),
    CAIRN_SECRET_KEY: SECRET,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(sink.port),
    LOG_LEVEL: 'warn',
    // The drills measure failures, not throttling.
    CAIRN_RATE_LIMIT_INGEST_PER_MINUTE: '0',
    CAIRN_RATE_LIMIT_API_PER_MINUTE: '0',
    NODE_ENV: 'production',
  };
  const api = new CairnProcess('api', 'apps/api/dist/main.js', processEnv, join(logDir, 'api.log'));
  const worker = new CairnProcess(
    'worker',
    'apps/worker/dist/main.js',
    processEnv,
    join(logDir, 'worker.log'),
  );

  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(repoRoot, 'apps/api/dist/cli.js'),
      'workspace',
      'create',
      '--name',
      `Fault drill ${name}`,
    ],
    {
      cwd: repoRoot,
      env: { ...env, ...processEnv },
    },
  );
  const workspaceId = /workspace (\S+)/.exec(stdout)?.[1];
  const writeKey = /write key\s+(\S+)/.exec(stdout)?.[1];
  const adminKey = /admin key\s+(\S+)/.exec(stdout)?.[1];
  if (!workspaceId || !writeKey || !adminKey)
    throw new Error(`could not read the workspace keys from:\n${stdout}`);

  const mongo = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 5000 });
  await mongo.connect();
  const apiUrl = `http://127.0.0.1:${port}`;
  const basic = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

  const drill: Drill = {
    stack,
    temporal: byName('temporal'),
    ferretdb: byName('ferretdb'),
    api,
    worker,
    sink,
    apiUrl,
    workspaceId,
    writeKey,
    adminKey,
    db: mongo.db(processEnv.MONGO_DB),
    ingest: (path, body) =>
      fetch(`${apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      }),
    async admin(path, init = {}) {
      const res = await fetch(`${apiUrl}/api/v1${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          authorization: `Bearer ${adminKey}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text for the failure message
      }
      return { status: res.status, body, headers: res.headers };
    },
    async apiUp(timeoutMs = 60_000) {
      await eventually(
        'the API to answer /healthz',
        async () => (await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(2000) })).ok,
        timeoutMs,
        200,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n--- api log ---\n${api.logTail()}`);
      });
    },
    async stop() {
      await Promise.allSettled([api.stop(), worker.stop()]);
      await mongo.close().catch(() => undefined);
      await sink.close();
      await stack.stop();
    },
  };
  return drill;
}

/**
 * trigger on `event` → email "<subject> 1" → wait `waitMinutes` → email "<subject> 2" → exit.
 * Delays are whole minutes (the journey language's smallest unit), so kills land on both sides of it.
 */
export function twoEmailJourney(event: string, subject: string, waitMinutes = 1) {
  const email = (n: number) => ({
    subject: `${subject} ${n}`,
    html: `<p>Message ${n} of the fault drill.</p>`,
  });
  return {
    name: `Fault drill: ${subject}`,
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event } },
      { id: 'first', kind: 'action', action: { type: 'email', version: 1 }, config: email(1) },
      { id: 'wait', kind: 'delay', duration: { amount: waitMinutes, unit: 'minutes' } },
      { id: 'second', kind: 'action', action: { type: 'email', version: 1 }, config: email(2) },
      { id: 'exit', kind: 'exit' },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'first' },
      { id: 'e2', source: 'first', sourceHandle: 'sent', target: 'wait' },
      { id: 'e3', source: 'wait', sourceHandle: 'next', target: 'second' },
      { id: 'e4', source: 'second', sourceHandle: 'sent', target: 'exit' },
      // A skipped email (no address) also ends the run; the drill's counts would show it.
      { id: 'e5', source: 'first', sourceHandle: 'skipped', target: 'exit' },
      { id: 'e6', source: 'second', sourceHandle: 'skipped', target: 'exit' },
    ],
  };
}

/** Creates and publishes a journey through the management API; returns its id. */
export async function publishJourney(drill: Drill, definition: { name: string }): Promise<string> {
  const created = await drill.admin('/journeys', { body: { name: definition.name, definition } });
  if (created.status !== 201)
    throw new Error(
      `creating the journey answered ${created.status}: ${JSON.stringify(created.body)}`,
    );
  const id = created.body.id as string;
  const published = await drill.admin(`/journeys/${id}/publish`, { method: 'POST' });
  if (published.status !== 200)
    throw new Error(
      `publishing the journey answered ${published.status}: ${JSON.stringify(published.body)}`,
    );
  return id;
}

/** Every run of these contacts in `journeyId`, by contact: the drill checks each finished exactly once. */
export async function runsOf(
  drill: Drill,
  journeyId: string,
  contactIds: string[],
): Promise<Map<string, { status: string }[]>> {
  const docs = await drill.db
    .collection<{ _id: string; runs?: Record<string, { journeyId?: string; status: string }> }>(
      'contact_journeys',
    )
    .find({ _id: { $in: contactIds.map((c) => `${drill.workspaceId}:${c}`) } })
    .toArray();
  const out = new Map<string, { status: string }[]>();
  for (const doc of docs) {
    const contactId = doc._id.slice(drill.workspaceId.length + 1);
    out.set(
      contactId,
      Object.entries(doc.runs ?? {})
        .filter(([slot, r]) => (r.journeyId ?? slot).startsWith(journeyId))
        .map(([, r]) => r),
    );
  }
  return out;
}

/**
 * Gives a drill file its own Cairn: started (API and worker running, API answering) before the file's
 * tests and stopped after them. The returned object stands for the running drill; touching it outside
 * a test (before beforeAll ran) throws.
 */
export function useDrill(name: string): Drill {
  let running: Drill | undefined;
  beforeAll(async () => {
    running = await startDrill(name);
    running.api.start();
    running.worker.start();
    await running.apiUp();
  }, 180_000);
  afterAll(async () => {
    await running?.stop();
  });
  return new Proxy({} as Drill, {
    get(_target, property) {
      if (!running)
        throw new Error(`the ${name} drill is used before it started (only inside a test)`);
      const value = Reflect.get(running, property, running) as unknown;
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(running)
        : value;
    },
  });
}
