// Enrollment throughput: journeys started per second through the API (reservation, idempotent workflow
// start with search attributes) against raw `workflow.start` of a trivial workflow on the same Temporal
// server, in the same run; plus history events per journey step and worker memory with contacts waiting.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { machine, percentile, root, startCairn, today, writeSection } from './lib.mjs';

const require = createRequire(join(root, 'package.json'));
const { ingestEvents } = require('@cairn/db');
const { normalizeEvent } = require('@cairn/core');

const CONTACTS = Number(process.env.BENCH_ENROLLMENTS ?? 300);
const CONCURRENCY = 8;

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function pool(count, work) {
  let next = 0;
  const latencies = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await work(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return latencies;
}

async function main() {
  const cairn = await startCairn('journeys', {
    async prepare(db, ws) {
      const now = Date.now();
      const identifies = Array.from(
        { length: CONTACTS * 2 },
        (_, i) =>
          normalizeEvent(
            {
              type: 'identify',
              userId: `c${i}`,
              messageId: `id-${i}`,
              traits: { email: `c${i}@example.com` },
            },
            { receivedAt: now, now },
          ).event,
      );
      console.log(`creating ${identifies.length} contacts ...`);
      for (let i = 0; i < identifies.length; i += 500)
        await ingestEvents(db.connection, ws.workspace._id, identifies.slice(i, i + 500), { now });
    },
  });
  const { ws, worker, admin, client, taskQueue } = cairn;
  try {
    const journeyId = await cairn.publishDelayJourney(
      'bench: wait a day',
      { type: 'manual' },
      { amount: 1, unit: 'days' },
    );

    console.log('journey published; enrolling ...');
    await new Promise((r) => setTimeout(r, 3000)); // let the worker settle before measuring memory
    const rssBefore = rssMiB(worker.pid);
    let started = performance.now();
    const cairnLatencies = await pool(CONTACTS, async (i) => {
      const res = await admin(`/api/v1/journeys/${journeyId}/enroll`, { contactId: `c${i}` });
      if (res.status !== 202) throw new Error(`enroll c${i}: ${res.status} ${await res.text()}`);
    });
    const cairnMs = performance.now() - started;

    console.log('raw workflow starts ...');
    started = performance.now();
    const rawLatencies = await pool(CONTACTS, (i) =>
      client.workflow.start('stackProbeWorkflow', {
        taskQueue,
        workflowId: `raw-${taskQueue}-${i}`,
        args: [{ sleepMs: 86_400_000 }],
      }),
    );
    const rawMs = performance.now() - started;

    // Wait until every journey run is waiting on its delay, then measure history and memory.
    const workflowId = `journey:${ws.workspace._id}:${journeyId}:c0`;
    let events = 0;
    for (let tries = 0; tries < 120; tries++) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      events = history.events?.length ?? 0;
      const timers = history.events?.filter((e) => e.timerStartedEventAttributes).length ?? 0;
      if (timers > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // The other runs reach the delay a little later; their progress lands in the stats as they do.
    let waiting = NaN;
    for (let tries = 0; tries < 120; tries++) {
      const stats = await (await admin(`/api/v1/journeys/${journeyId}/stats`)).json();
      waiting = stats.nodes?.wait?.waiting ?? NaN;
      if (waiting >= CONTACTS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const rssAfter = rssMiB(worker.pid);
    const cairnRate = CONTACTS / (cairnMs / 1000);
    const rawRate = CONTACTS / (rawMs / 1000);
    const section = `## Journey enrollment (${today()})

\`npm run bench -- journeys\` (BENCH_ENROLLMENTS=${CONTACTS}): a published journey (manual trigger → delay 1 day → exit), ${CONTACTS} contacts enrolled through \`POST /api/v1/journeys/:id/enroll\` with ${CONCURRENCY} concurrent clients (each: contact lookup, enrollment reservation in MongoDB, idempotent \`workflow.start\` with search attributes), against raw \`workflow.start\` of a trivial sleeping workflow, same Temporal dev server (SQLite), same worker running. ${machine()}.

| measure | result |
|---|---|
| Cairn: enrollments/s | ${cairnRate.toFixed(1)} |
| raw engine: workflow starts/s | ${rawRate.toFixed(1)} |
| ratio Cairn / raw | ${(cairnRate / rawRate).toFixed(2)} |
| enrollment latency p50 / p99 | ${percentile(cairnLatencies, 50).toFixed(0)} ms / ${percentile(cairnLatencies, 99).toFixed(0)} ms |
| raw start latency p50 / p99 | ${percentile(rawLatencies, 50).toFixed(0)} ms / ${percentile(rawLatencies, 99).toFixed(0)} ms |
| history events of one run, trigger → waiting on the delay (2 steps) | ${events} (${(events / 2).toFixed(1)} per step) |
| contacts waiting on the delay node (stats) | ${waiting} |
| worker RSS before → with ${CONTACTS} journeys + ${CONTACTS} probes waiting | ${rssBefore.toFixed(0)} MiB → ${rssAfter.toFixed(0)} MiB |
`;
    writeSection('journeys', section);
    console.log(section);
  } finally {
    await cairn.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
