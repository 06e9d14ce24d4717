// Many contacts waiting: N journey runs wait on timers that all come due within one minute, with the
// worker's sticky cache smaller than N, and the bench measures how late each run takes its next step.
// Lateness = the instant the run executed the step after the wait (its exit, recorded with the workflow's
// clock in `contact_journeys`) − the instant its timer was due. Then the raw baseline in the same run: as
// many bare workflows (bench/wake-probe.ts on bench/bare-worker.mjs, the same sticky-cache size) sleeping
// until instants spread over another minute, each taking one no-op step when it wakes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  machine,
  percentile,
  root,
  startBareWorker,
  startCairn,
  stopApp,
  today,
  writeSection,
} from './lib.mjs';
import { cpuMeter, stackProcesses } from './procs.mjs';

const require = createRequire(join(root, 'package.json'));
const {
  contactJourneysModel,
  ingestEvents,
  journeyTotals,
  reserveEnrollment,
} = require('@cairn/db');
const { normalizeEvent } = require('@cairn/core');
const { enrollInJourney } = require('@cairn/workflows/client');

const RUNS = Number(process.env.BENCH_WAKE_RUNS ?? 10_000);
const CACHE = Number(process.env.BENCH_WAKE_CACHE ?? Math.max(2, Math.floor(RUNS / 10)));
const WINDOW_MS = 60_000;
const ENROL_CONCURRENCY = 32;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

async function pool(count, concurrency, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

function identify(contactId, traits, now) {
  return normalizeEvent(
    { type: 'identify', userId: contactId, messageId: `${contactId}-${now}`, traits },
    { receivedAt: now, now },
  ).event;
}

async function ingest(db, workspaceId, events, now) {
  for (let i = 0; i < events.length; i += 500)
    await ingestEvents(db.connection, workspaceId, events.slice(i, i + 500), { now });
}

async function main() {
  const calibration = Math.min(200, RUNS);
  const cairn = await startCairn('wakeups', {
    env: { CAIRN_MAX_CACHED_WORKFLOWS: String(CACHE), CAIRN_DISPATCH_WAKE_LISTEN: 'off' },
    async prepare(db, ws) {
      const now = Date.now();
      console.log(`creating ${RUNS + calibration} contacts ...`);
      await ingest(
        db,
        ws.workspace._id,
        Array.from({ length: RUNS + calibration }, (_, i) => identify(`w${i}`, {}, now)),
        now,
      );
    },
  });
  const { db, ws, worker, admin, client, taskQueue, workspaceId } = cairn;
  try {
    const publish = async (name, definition) => {
      const created = await (await admin('/api/v1/journeys', { name, definition })).json();
      if (!created.id) throw new Error(`create failed: ${JSON.stringify(created)}`);
      const published = await admin(`/api/v1/journeys/${created.id}/publish`, {});
      if (!published.ok) throw new Error(`publish failed: ${await published.text()}`);
      return created.id;
    };
    const settings = { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 };
    const journeyId = await publish('bench: wake at a profile date', {
      name: 'bench: wake at a profile date',
      settings,
      nodes: [
        { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
        {
          id: 'wait',
          kind: 'waitUntil',
          until: {
            type: 'profileDate',
            field: 'traits.due_at',
            offset: { amount: 0, unit: 'minutes' },
          },
        },
        { id: 'done', kind: 'exit' },
      ],
      edges: [
        { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait' },
        { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'done' },
      ],
    });
    const calibrationJourney = await cairn.publishDelayJourney(
      'bench: calibrate enrolment',
      { type: 'manual' },
      { amount: 1, unit: 'days' },
    );
    const deps = {
      client,
      taskQueue,
      reserve: (reservation) => reserveEnrollment(db.connection, reservation),
    };
    const enrol = (journey, contactId) =>
      enrollInJourney(deps, {
        workspaceId,
        journeyId: journey,
        contactId,
        entry: { kind: 'manual', at: new Date().toISOString() },
        enrolledBy: `bench:${contactId}`,
        now: new Date(),
      });

    // How fast runs can be put in place here and now decides when the due window can begin.
    let t = performance.now();
    await pool(calibration, ENROL_CONCURRENCY, (i) => enrol(calibrationJourney, `w${RUNS + i}`));
    const rate = calibration / ((performance.now() - t) / 1000);
    const ingestSeconds = RUNS / 150;
    const windowStart = Date.now() + Math.ceil((ingestSeconds + RUNS / (rate * 0.75) + 30) * 1000);
    console.log(
      `enrolment ${rate.toFixed(1)}/s; due window opens at ${new Date(windowStart).toISOString()}`,
    );
    const dueOf = (i) => windowStart + Math.floor((i / RUNS) * WINDOW_MS);
    await ingest(
      db,
      workspaceId,
      Array.from({ length: RUNS }, (_, i) =>
        identify(`w${i}`, { due_at: new Date(dueOf(i)).toISOString() }, Date.now()),
      ),
      Date.now(),
    );
    t = performance.now();
    let enrolled = 0;
    await pool(RUNS, ENROL_CONCURRENCY, async (i) => {
      await enrol(journeyId, `w${i}`);
      if (++enrolled % 1000 === 0) console.log(`${enrolled} enrolled`);
    });
    const enrolSeconds = (performance.now() - t) / 1000;
    const enrolledBy = Date.now();
    console.log(`${RUNS} enrolled in ${enrolSeconds.toFixed(0)} s`);
    if (enrolledBy > windowStart)
      console.log('enrolment ran into the due window: see "entered late"');

    const runs = contactJourneysModel(db.connection);
    const slot = `runs.${journeyId}`;
    const pids = { worker: worker.pid, api: cairn.api.pid, ...stackProcesses() };
    // Polls `finishedCount` every 2 s from 2 s before the window until every run has taken its step.
    const watch = async (label, windowStart, processes, finishedCount) => {
      await sleep(Math.max(0, windowStart - Date.now() - 2000));
      const load = [loadAverage()];
      const cpu = cpuMeter(processes);
      let finished = 0;
      let lastSeenAt = Date.now();
      const deadline = windowStart + WINDOW_MS + 30 * 60_000;
      while (Date.now() < deadline) {
        await sleep(2000);
        const now = await finishedCount();
        if (now !== finished) lastSeenAt = Date.now();
        finished = now;
        // A run whose step was never recorded would hold the bench for its whole deadline.
        if (Date.now() - lastSeenAt > 60_000 && Date.now() > windowStart + WINDOW_MS) break;
        if (Date.now() > windowStart + WINDOW_MS / 2 && load.length < 2) load.push(loadAverage());
        if (finished >= RUNS) break;
      }
      console.log(`${label}: ${finished} of ${RUNS} woke`);
      return { load, cores: cpu.stop(), lastSeenAt };
    };
    const cairnWatch = await watch('cairn', windowStart, pids, async () => {
      // One `_id` read of the journey's totals: polling must not load the database it measures.
      const totals = (await journeyTotals(db.connection, workspaceId, [journeyId]))(journeyId);
      return totals.entered - totals.active;
    });
    const docs = await runs.find({ workspaceId }, { [slot]: 1, contactId: 1 }).lean();
    const lateness = [];
    let enteredLate = 0;
    for (const doc of docs) {
      const run = doc.runs?.[journeyId];
      if (!run?.exitedAt) continue;
      const due = dueOf(Number(doc.contactId.slice(1)));
      if (Date.parse(run.enteredAt) > due) {
        enteredLate++;
        continue;
      }
      lateness.push(Date.parse(run.exitedAt) - due);
    }
    const cairnResult = {
      lateness,
      enteredLate,
      ...cairnWatch,
      rate: lateness.length / ((cairnWatch.lastSeenAt - windowStart) / 1000),
      windowStart,
    };

    // The raw leg: the same number of bare workflows and cache size, started as fast as Temporal takes them.
    const rawQueue = `${taskQueue}-raw`;
    const bare = await startBareWorker({
      TEMPORAL_TASK_QUEUE: rawQueue,
      BENCH_BARE_WORKFLOWS: join(root, 'bench/dist/wake-probe.js'),
      BENCH_BARE_CACHE: String(CACHE),
    });
    let rawResult;
    try {
      // Raw starts outpace enrolment, so the enrolment rate measured above leaves room enough.
      const rawWindowStart = Date.now() + Math.ceil((RUNS / (rate * 0.75) + 30) * 1000);
      const rawDueOf = (i) => rawWindowStart + Math.floor((i / RUNS) * WINDOW_MS);
      const rawId = (i) => `wake-${rawQueue}-${i}`;
      t = performance.now();
      await pool(RUNS, ENROL_CONCURRENCY, (i) =>
        client.workflow.start('wakeProbeWorkflow', {
          taskQueue: rawQueue,
          workflowId: rawId(i),
          args: [{ dueAt: rawDueOf(i) }],
        }),
      );
      const rawStartRate = RUNS / ((performance.now() - t) / 1000);
      console.log(`${RUNS} raw workflows started (${rawStartRate.toFixed(1)}/s)`);
      const rawWatch = await watch(
        'raw',
        rawWindowStart,
        { bare: bare.child.pid, ...stackProcesses() },
        async () =>
          (
            await client.workflow.count(
              `TaskQueue = '${rawQueue}' AND ExecutionStatus = 'Completed'`,
            )
          ).count,
      );
      const rawLateness = [];
      let rawEnteredLate = 0;
      await pool(RUNS, ENROL_CONCURRENCY, async (i) => {
        const handle = client.workflow.getHandle(rawId(i));
        const { status } = await handle.describe();
        if (status.name !== 'COMPLETED') return;
        const { startedAt, wokeAt } = await handle.result();
        if (startedAt > rawDueOf(i)) rawEnteredLate++;
        else rawLateness.push(wokeAt - rawDueOf(i));
      });
      rawResult = {
        lateness: rawLateness,
        enteredLate: rawEnteredLate,
        ...rawWatch,
        rate: rawLateness.length / ((rawWatch.lastSeenAt - rawWindowStart) / 1000),
        windowStart: rawWindowStart,
        startRate: rawStartRate,
      };
    } finally {
      await stopApp(bare.child);
    }

    // Raw wake-ups are late by milliseconds, Cairn's at scale by minutes: print each at its scale.
    const s = (ms) => (Math.abs(ms) < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);
    const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(b < a / 100 ? 0 : 2)}` : '—');
    const legs = [cairnResult, rawResult];
    const at = (p) => legs.map((l) => percentile(l.lateness, p));
    const [p50, p99] = [at(50), at(99)];
    const max = legs.map((l) => Math.max(...l.lateness));
    const cores = (l) =>
      Object.entries(l.cores)
        .map(([name, used]) => `${name} ${used.toFixed(2)}`)
        .join(', ');
    const left = (l) =>
      l.enteredLate ? ` (${l.enteredLate} started after their due instant: left out)` : '';
    const section = `## Many contacts waiting: wake-up lateness (${today()})

\`npm run bench -- wakeups\` (BENCH_WAKE_RUNS=${RUNS}, BENCH_WAKE_CACHE=${CACHE}). **Cairn:** a published journey (manual trigger → wait until the profile date \`traits.due_at\` → exit); ${RUNS} contacts whose \`due_at\` instants are spread evenly over one minute, enrolled ahead of it (${(RUNS / enrolSeconds).toFixed(1)}/s, ${ENROL_CONCURRENCY} in flight, through \`enrollInJourney\`), so ${RUNS} runs wait on timers that all come due within 60 s. The worker's sticky cache holds ${CACHE} runs (\`CAIRN_MAX_CACHED_WORKFLOWS\`), so most runs are evicted while they wait and replayed from their history when their timer fires. Lateness = the exit step's instant (the workflow's clock, recorded in \`contact_journeys\`) − the due instant. **Raw, in the same run, after Cairn's window:** ${RUNS} bare workflows (\`bench/wake-probe.ts\` on \`bench/bare-worker.mjs\`, no Cairn code, the same ${CACHE}-run sticky cache and otherwise the SDK's defaults, as Cairn's worker), started ahead of their own minute (${rawResult.startRate.toFixed(1)}/s, ${ENROL_CONCURRENCY} in flight), each sleeping until its due instant and then taking one no-op local activity (where a journey run records its progress); lateness = the workflow's clock when it woke − the due instant; finished runs counted from Temporal's visibility. ${machine()}, shared with other engineers' builds and tests; embedded FerretDB (SQLite) and Temporal dev server. Cores used = CPU seconds of each process from 2 s before the window until the last run was seen finished, over that span.

| measure | Cairn | raw | Cairn ÷ raw |
|---|---|---|---:|
| runs that woke and took their step / waiting | ${cairnResult.lateness.length} / ${RUNS}${left(cairnResult)} | ${rawResult.lateness.length} / ${RUNS}${left(rawResult)} | |
| wake-up lateness p50 | ${s(p50[0])} | ${s(p50[1])} | ${ratio(p50[0], p50[1])} |
| wake-up lateness p99 | ${s(p99[0])} | ${s(p99[1])} | ${ratio(p99[0], p99[1])} |
| wake-up lateness max | ${s(max[0])} | ${s(max[1])} | ${ratio(max[0], max[1])} |
| last step seen, after the window closed (polled every 2 s) | ${s(cairnResult.lastSeenAt - cairnResult.windowStart - WINDOW_MS)} | ${s(rawResult.lastSeenAt - rawResult.windowStart - WINDOW_MS)} | |
| runs woken per second over the window and its tail | ${cairnResult.rate.toFixed(1)} | ${rawResult.rate.toFixed(1)} | ${ratio(cairnResult.rate, rawResult.rate)} |
| load average at the window's start / middle | ${cairnResult.load.join(' / ')} | ${rawResult.load.join(' / ')} | |
| cores used | ${cores(cairnResult)} | ${cores(rawResult)} | |
`;
    writeSection('wakeups', section);
    console.log(section);
  } finally {
    await cairn.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
