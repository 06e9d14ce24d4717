// Worker memory with N journey runs waiting on a 1-hour delay: VmRSS of the real worker process before
// and after enrolling N contacts (default 200, then up to 1000), against a bare Temporal worker (only the
// trivial sleeping probe workflow) holding the same N sleeping runs, on the same Temporal server.
//
// Sizes: BENCH_WAITING=200,1000 (cumulative steps).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import {
  machine,
  root,
  startBareWorker,
  startCairn,
  stopApp,
  today,
  writeSection,
} from './lib.mjs';

const require = createRequire(join(root, 'package.json'));
const { contactKey, contactModel, encodeDocumentKeys } = require('@cairn/db');
const { emptyProfile } = require('@cairn/core');
const { loadConfig, workflowCacheSize } = require('@cairn/config');
const { loadavg } = require('node:os');

const STEPS = (process.env.BENCH_WAITING ?? '200,1000').split(',').map(Number);
const CONCURRENCY = 8;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Median of a few samples a second apart, after the process has had time to settle. */
async function steadyRss(pid) {
  await sleep(3000);
  const samples = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssMiB(pid));
    await sleep(1000);
  }
  return samples.sort((a, b) => a - b)[2];
}

async function pool(from, to, work) {
  let next = from;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < to) await work(next++);
    }),
  );
}

/** Waits until every run has started its timer (their first workflow task has run on the worker). */
async function allWaiting(client, ids) {
  const deadline = Date.now() + 300_000;
  for (const id of ids) {
    for (;;) {
      const history = await client.workflow.getHandle(id).fetchHistory();
      if (history.events?.some((e) => e.timerStartedEventAttributes)) break;
      if (Date.now() > deadline) throw new Error(`run ${id} never reached its timer`);
      await sleep(200);
    }
  }
}

async function main() {
  const max = Math.max(...STEPS);
  const cairn = await startCairn('memory', {
    // Contacts written directly (this bench is about the worker, not ingestion).
    async prepare(db, ws) {
      const workspaceId = ws.workspace._id;
      const docs = Array.from({ length: max }, (_, i) => ({
        _id: contactKey(workspaceId, `c${i}`),
        workspaceId,
        contactId: `c${i}`,
        profile: encodeDocumentKeys(emptyProfile(`c${i}`)),
        traits: {},
        rev: 0,
        segments: {},
        nextEvaluationAt: null,
      }));
      for (let i = 0; i < docs.length; i += 500)
        await contactModel(db.connection).insertMany(docs.slice(i, i + 500));
    },
  });
  const { workspaceId, worker, admin, client } = cairn;
  const bareQueue = `bench-memory-bare-${Date.now()}`;
  console.log('starting a bare Temporal worker ...');
  const bare = await startBareWorker({ TEMPORAL_TASK_QUEUE: bareQueue }).catch(async (error) => {
    await cairn.stop();
    throw error;
  });
  try {
    const journeyId = await cairn.publishDelayJourney(
      'bench: wait an hour',
      { type: 'manual' },
      { amount: 1, unit: 'hours' },
    );

    // One warm-up run each, so the baseline includes a loaded workflow bundle and open connections.
    const enroll = async (i) => {
      const res = await admin(`/api/v1/journeys/${journeyId}/enroll`, { contactId: `c${i}` });
      if (res.status !== 202) throw new Error(`enroll c${i}: ${res.status} ${await res.text()}`);
    };
    const journeyRun = (i) => `journey:${workspaceId}:${journeyId}:c${i}`;
    const probeRun = (i) => `probe-${bareQueue}-${i}`;
    const startProbe = (i) =>
      client.workflow.start('stackProbeWorkflow', {
        taskQueue: bareQueue,
        workflowId: probeRun(i),
        args: [{ sleepMs: 3_600_000 }],
      });
    await enroll(0);
    await startProbe(0);
    await allWaiting(client, [journeyRun(0), probeRun(0)]);
    const base = { cairn: await steadyRss(worker.pid), bare: await steadyRss(bare.child.pid) };
    console.log(
      `baseline RSS: Cairn worker ${base.cairn.toFixed(0)} MiB, bare worker ${base.bare.toFixed(0)} MiB`,
    );

    const rows = [];
    let done = 1;
    for (const n of STEPS) {
      console.log(`${n} runs waiting ...`);
      await pool(done, n, enroll);
      await pool(done, n, startProbe);
      const ids = Array.from({ length: n - done }, (_, k) => done + k);
      await allWaiting(client, [...ids.map(journeyRun), ...ids.map(probeRun)]);
      done = n;
      // Journey stats follow the runs' progress reports (activities): wait for them, up to 5 minutes, so
      // the sample is not taken while that backlog still sits in the worker.
      let stats;
      for (let tries = 0; tries < 300; tries++) {
        stats = await (await admin(`/api/v1/journeys/${journeyId}/stats`)).json();
        if ((stats.nodes?.wait?.waiting ?? 0) >= n) break;
        await sleep(1000);
      }
      const cairn = await steadyRss(worker.pid);
      const bareRss = await steadyRss(bare.child.pid);
      rows.push({
        n,
        waiting: stats.nodes?.wait?.waiting,
        cairn,
        bare: bareRss,
        load: loadavg()[0],
      });
    }

    // Per run: the slope from the previous row, so start-up garbage (the workflow bundler's heap) that a
    // later GC frees does not count; the first row's slope from 1 run is the noisiest.
    const perRun = (key, i) => {
      const prev = i === 0 ? { n: 1, ...base } : rows[i - 1];
      return (((rows[i][key] - prev[key]) * 1024) / (rows[i].n - prev.n)).toFixed(0);
    };
    const heapMiB = getHeapStatistics().heap_size_limit / 2 ** 20;
    // The worker process computes the same from the same heap limit (same node, same flags).
    const cairnCache = workflowCacheSize(loadConfig(), getHeapStatistics().heap_size_limit);
    const section = `## Worker memory with runs waiting (${today()})

\`npm run bench -- memory\` (BENCH_WAITING=${STEPS.join(',')}): N contacts enrolled through the API in a published journey (manual trigger → delay 1 hour → exit), every run waiting on its timer; worker VmRSS (\`/proc/<pid>/status\`, median of 5 samples after 3 s settling) at each step; "per added run" is the RSS growth from the previous row divided by the runs added (GC timing makes single samples noisy by tens of MiB, so trust the largest step). Baseline: a bare Temporal worker process (only the trivial sleeping \`stackProbeWorkflow\`, no activities) holding the same N sleeping runs on the same Temporal dev server. Both start from 1 warm run. Temporal TypeScript SDK 1.24, \`reuseV8Context\` on (the default), sticky cache \`maxCachedWorkflows\`: Cairn worker ${cairnCache} (${process.env.CAIRN_MAX_CACHED_WORKFLOWS ? 'CAIRN_MAX_CACHED_WORKFLOWS' : `CAIRN_MAX_CACHED_WORKFLOWS unset: sized from the ${heapMiB.toFixed(0)} MiB heap limit by \`workflowCacheSize\``}), bare worker ${bare.cache} (the SDK's default for that heap limit)${max <= Math.min(cairnCache, bare.cache) ? ', so every run below stays cached' : ''}. ${machine()}, shared with other engineers' builds and tests.

| runs waiting | contacts waiting (stats) | Cairn worker RSS | per added run | bare worker RSS | per added run | load average |
|---:|---:|---:|---:|---:|---:|---:|
| 1 | — | ${base.cairn.toFixed(0)} MiB | — | ${base.bare.toFixed(0)} MiB | — | — |
${rows.map((r, i) => `| ${r.n} | ${r.waiting ?? 'n/a'} | ${r.cairn.toFixed(0)} MiB | ${perRun('cairn', i)} KiB | ${r.bare.toFixed(0)} MiB | ${perRun('bare', i)} KiB | ${r.load.toFixed(1)} |`).join('\n')}

A waiting run costs the worker memory only while it sits in the sticky cache: past \`maxCachedWorkflows\` the worker evicts the least recently used run and replays its history from Temporal when its timer fires (one history fetch + replay, ~23 events for this journey), so worker memory is bounded by the cache size × the per-run figure, not by the number of contacts waiting; the waiting runs themselves live in Temporal's persistence.
`;
    writeSection('memory', section);
    console.log(section);
  } finally {
    await stopApp(bare.child);
    await cairn.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
