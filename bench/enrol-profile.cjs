// Profile of enrolment alone on the dispatcher path: JourneyDispatcher in this process, no worker running the
// started workflows, driver command monitoring on; then raw `workflow.start` of N probes, 8 and 32 in flight.
// Run inside the stack: `N=200 node packages/dev-stack/dist/cli.js exec -- node bench/enrol-profile.cjs`.
process.env.CAIRN_MONITOR_COMMANDS = '1';
const {
  connectDatabase,
  syncIndexes,
  createWorkspace,
  createJourney,
  publishJourneyDraft,
  enqueueJourneyTriggers,
  ingestEvents,
} = require('@cairn/db');
const { normalizeEvent } = require('@cairn/core');
const { Client, Connection } = require('@temporalio/client');
const { JourneyDispatcher, ensureSearchAttributes } = require('@cairn/worker');
const N = Number(process.env.N ?? 100);
(async () => {
  const db = await connectDatabase(process.env.MONGO_URL, `prof_${Date.now()}`);
  await syncIndexes(db.connection);
  const ws = await createWorkspace(db.connection, { name: 'p', slug: `p${Date.now()}` });
  const workspaceId = ws.workspace._id;
  const conn = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  await ensureSearchAttributes(conn, 'default');
  const client = new Client({ connection: conn });
  const now = Date.now();
  const ev = Array.from(
    { length: N },
    (_, i) =>
      normalizeEvent(
        { type: 'identify', userId: `c${i}`, messageId: `i${i}`, traits: {} },
        { receivedAt: now, now },
      ).event,
  );
  await ingestEvents(db.connection, workspaceId, ev, { now });
  const definition = {
    name: 'p',
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      { id: 't', kind: 'trigger', trigger: { type: 'event', event: 'E' } },
      { id: 'w', kind: 'delay', duration: { amount: 1, unit: 'days' } },
      { id: 'x', kind: 'exit' },
    ],
    edges: [
      { id: 'e1', source: 't', sourceHandle: 'next', target: 'w' },
      { id: 'e2', source: 'w', sourceHandle: 'next', target: 'x' },
    ],
  };
  const { journeyId } = await createJourney(db.connection, workspaceId, { name: 'p', definition });
  await publishJourneyDraft(db.connection, workspaceId, journeyId, { check: async () => [] });
  const taskQueue = `prof-${Date.now()}`;
  const at = Date.now();
  await enqueueJourneyTriggers(
    db.connection,
    Array.from({ length: N }, (_, i) => ({
      workspaceId,
      contactId: `c${i}`,
      kind: 'event',
      messageId: `m${i}`,
      event: 'E',
      properties: {},
      at,
      receivedAt: at,
    })),
  );
  const mongo = db.connection.getClient();
  const counts = new Map();
  const started = new Map();
  const time = new Map();
  mongo.on('commandStarted', (e) => {
    started.set(e.requestId, performance.now());
  });
  const key = new Map();
  mongo.on('commandStarted', (e) =>
    key.set(e.requestId, `${e.commandName} ${e.command[e.commandName]}`),
  );
  mongo.on('commandSucceeded', (e) => {
    const k = key.get(e.requestId);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    time.set(k, (time.get(k) ?? 0) + performance.now() - started.get(e.requestId));
  });
  let startMs = 0,
    starts = 0;
  const orig = client.workflow.start.bind(client.workflow);
  client.workflow.start = async (...a) => {
    const t = performance.now();
    try {
      return await orig(...a);
    } finally {
      startMs += performance.now() - t;
      starts++;
    }
  };
  const d = new JourneyDispatcher({ db, client, taskQueue });
  let t = performance.now();
  let processed = 0;
  while (processed < N) processed += (await d.dispatchOnce()).processed;
  const enrolMs = performance.now() - t;
  console.log(
    `dispatcher: ${N} in ${enrolMs.toFixed(0)} ms = ${((N / enrolMs) * 1000).toFixed(1)}/s; workflow.start ${starts} calls, ${(startMs / starts).toFixed(1)} ms mean`,
  );
  for (const [k, c] of [...counts].sort((a, b) => b[1] - a[1]))
    console.log(
      `  ${k}: ${c} (${(c / N).toFixed(2)} per start), ${(time.get(k) / c).toFixed(1)} ms mean`,
    );
  t = performance.now();
  let next = 0;
  const lat = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < N) {
        const i = next++;
        const s = performance.now();
        await orig('stackProbeWorkflow', {
          taskQueue,
          workflowId: `raw-${taskQueue}-${i}`,
          args: [{ sleepMs: 1e7 }],
        });
        lat.push(performance.now() - s);
      }
    }),
  );
  const rawMs = performance.now() - t;
  lat.sort((a, b) => a - b);
  console.log(
    `raw: ${N} in ${rawMs.toFixed(0)} ms = ${((N / rawMs) * 1000).toFixed(1)}/s, p50 ${lat[N >> 1].toFixed(0)} ms; ratio ${(rawMs / enrolMs).toFixed(2)}`,
  );
  t = performance.now();
  next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) {
        const i = next++;
        await orig('stackProbeWorkflow', {
          taskQueue,
          workflowId: `raw32-${taskQueue}-${i}`,
          args: [{ sleepMs: 1e7 }],
        });
      }
    }),
  );
  console.log(`raw at 32 in flight: ${((N / (performance.now() - t)) * 1000).toFixed(1)}/s`);
  await db.connection.dropDatabase();
  await db.close();
  await conn.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
