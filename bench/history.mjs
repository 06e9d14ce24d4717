// History events per journey step, per node kind, from real runs: the real worker activities on the real
// database, the workflow bundle, Temporal's time-skipping server (delays of a day pass at once).
// Each kind runs in a journey with 1 and with 3 such nodes in a row; the extra events of the two extra
// nodes, halved, are what one node of that kind costs. BENCH_HISTORY_BEFORE=<workflows entry .js> also
// measures an older build of @cairn/workflows (e.g. the previous release) in the same run, for comparison.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { machine, requireEnv, root, today, writeSection } from './lib.mjs';

const require = createRequire(join(root, 'apps/worker/package.json'));
const { TestWorkflowEnvironment } = require('@temporalio/testing');
const { Worker, bundleWorkflowCode } = require('@temporalio/worker');
const { ActionRegistry, defineAction } = require('@cairn/action-sdk');
const { z } = require('zod');
const db_ = require('@cairn/db');
const { createJourneyActivities, enrollInJourney } = require(
  join(root, 'apps/worker/dist/index.js'),
);

const DAY = { amount: 1, unit: 'days' };
const KINDS = {
  delay: (id) => ({ node: { id, kind: 'delay', duration: DAY }, outputs: ['next'] }),
  branch: (id) => ({
    node: {
      id,
      kind: 'branch',
      condition: {
        on: 'profile',
        condition: {
          type: 'all',
          conditions: [{ type: 'event', check: 'performed', event: 'Order Completed' }],
        },
      },
    },
    outputs: ['yes', 'no'],
  }),
  'action (email)': (id) => ({
    node: {
      id,
      kind: 'action',
      action: { type: 'email', version: 1 },
      config: { subject: 'Hello' },
    },
    outputs: ['sent', 'skipped'],
  }),
  'waitFor (event, times out)': (id) => ({
    node: { id, kind: 'waitFor', for: { type: 'event', event: 'Never Sent' }, timeout: DAY },
    outputs: ['matched', 'timeout'],
  }),
};

/** trigger → n nodes of one kind → exit. */
function journeyOf(kind, n) {
  const nodes = [{ id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } }];
  const edges = [];
  let previous = { id: 'trigger', outputs: ['next'] };
  for (let i = 0; i < n; i++) {
    const { node, outputs } = KINDS[kind](`n${i}`);
    nodes.push(node);
    for (const out of previous.outputs)
      edges.push({
        id: `${previous.id}-${out}`,
        source: previous.id,
        sourceHandle: out,
        target: node.id,
      });
    previous = { id: node.id, outputs };
  }
  nodes.push({ id: 'exit', kind: 'exit' });
  for (const out of previous.outputs)
    edges.push({
      id: `${previous.id}-${out}`,
      source: previous.id,
      sourceHandle: out,
      target: 'exit',
    });
  return {
    name: `${kind} × ${n}`,
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes,
    edges,
  };
}

const email = defineAction({
  type: 'email',
  version: 1,
  title: 'Email (bench stand-in)',
  description: 'Answers sent at once.',
  category: 'message',
  icon: 'mail',
  configSchema: z.object({ subject: z.string() }),
  outputs: [{ name: 'sent' }, { name: 'skipped' }],
  async run() {
    return { output: 'sent' };
  },
});

async function measure(env, db, workflowsPath, label) {
  const workspaceId = `ws_hist_${label}`;
  const now = Date.now();
  await db_.ingestEvents(
    db.connection,
    workspaceId,
    [
      {
        messageId: 'ann-order',
        type: 'track',
        userId: 'ann',
        event: 'Order Completed',
        properties: {},
        traits: {},
        context: {},
        timestamp: now,
        receivedAt: now,
      },
    ],
    { now },
  );
  const registry = new ActionRegistry([email]);
  const taskQueue = `history-${label}`;
  const deps = { db, client: env.client, taskQueue, registry, searchAttributes: false };
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: createJourneyActivities(deps),
  });
  const events = {};
  await worker.runUntil(async () => {
    for (const kind of Object.keys(KINDS)) {
      events[kind] = {};
      for (const n of [1, 3]) {
        const definition = journeyOf(kind, n);
        const { journeyId } = await db_.createJourney(db.connection, workspaceId, {
          name: definition.name,
          definition,
        });
        await db_.publishJourneyDraft(db.connection, workspaceId, journeyId, {
          check: async () => [],
        });
        const enrolled = await enrollInJourney(deps, {
          workspaceId,
          journeyId,
          contactId: 'ann',
          entry: { kind: 'manual', at: new Date().toISOString() },
          enrolledBy: `bench:${journeyId}`,
          now: new Date(),
        });
        const handle = env.client.workflow.getHandle(enrolled.workflowId);
        await handle.result();
        events[kind][n] = (await handle.fetchHistory()).events.length;
      }
    }
  });
  return events;
}

async function main() {
  const db = await db_.connectDatabase(requireEnv('MONGO_URL'), `bench_history_${Date.now()}`);
  await db_.syncIndexes(db.connection);
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable: { type: 'existing-path', path: requireEnv('TEMPORAL_TEST_SERVER_BIN') },
    },
  });
  const load = [loadavg()[0]];
  try {
    const before = process.env.BENCH_HISTORY_BEFORE
      ? await measure(env, db, process.env.BENCH_HISTORY_BEFORE, 'before')
      : undefined;
    const now = await measure(env, db, require.resolve('@cairn/workflows'), 'now');
    load.push(loadavg()[0]);
    const perNode = (e) => ((e[3] - e[1]) / 2).toFixed(1);
    const cell = (e) => `${perNode(e)} (${e[1]} → ${e[3]})`;
    const rows = Object.keys(KINDS).map(
      (kind) => `| ${kind} | ${before ? `${cell(before[kind])} | ` : ''}${cell(now[kind])} | ≤ 6 |`,
    );
    const section = `## History events per journey step (${today()})

\`npm run bench -- history\`${before ? ` (BENCH_HISTORY_BEFORE=${process.env.BENCH_HISTORY_BEFORE})` : ''}: real worker activities on embedded FerretDB (SQLite), the workflow bundle, Temporal's time-skipping server. Each kind runs in a journey trigger → 1 or 3 nodes of that kind → exit, one contact who has ordered once; a node's cost is the extra history events of the two extra nodes, halved (the whole runs' counts in brackets). The email is a stand-in message action that answers at once; the waitFor waits for an event that never comes and times out after a day. ${machine()}, load average ${load.map((l) => l.toFixed(1)).join(' → ')}.

| node kind | ${before ? 'events per node, previous workflow code | ' : ''}events per node, now | target |
|---|${before ? '---|' : ''}---|---|
${rows.join('\n')}

Where the events go now (\`patched('lean-steps')\`, decision 018): a step that waits costs its timer (2 events), one workflow task (3) and its progress write as a local activity (1 marker); an action step costs its activity (3) and one workflow task (3), and its progress batch rides in the next action's activity input (written there before the action runs) or in a local activity before the next wait. Contact facts are loaded (one more marker) only when the step reads them (a branch, a goal, a profile date); a branch is decided in the task of the step that reaches it, so it costs no event of its own. Previously every step also ran the fact load and the progress write as regular activities, each 3 events and a workflow task of 3. Per run there are also 5 fixed events, the version load and the first step's progress (a marker each) and, for each of the 5 \`patched()\` flags, a marker and an upsert of Temporal's change-version search attribute (10 events). Carrying out the interpreter's commands instead of reading the run state (decision 026) changed no count: every fixture scenario has as many history events recorded from 2dbccb6 as from that code.
`;
    writeSection('history', section);
    console.log(section);
  } finally {
    await env.teardown();
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
