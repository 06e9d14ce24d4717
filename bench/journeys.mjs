// Enrollment throughput against raw `workflow.start` of a trivial workflow on the same Temporal server, in
// the same run, alternated so that a change of load on a shared machine shows: raw, through the API
// (`POST /journeys/:id/enroll`, one contact per request), through the worker's dispatcher (outbox triggers,
// as segment entries and events arrive), raw again. Plus history events per step and worker memory.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  commandsPer,
  databaseCommands,
  freePort,
  machine,
  percentile,
  root,
  startCairn,
  today,
  writeSection,
} from './lib.mjs';
import { cpuMeter, stackProcesses } from './procs.mjs';

const require = createRequire(join(root, 'package.json'));
const { enqueueJourneyTriggers, ingestEvents, journeyTriggerModel } = require('@cairn/db');
const { normalizeEvent } = require('@cairn/core');

const CONTACTS = Number(process.env.BENCH_ENROLLMENTS ?? 300);
const CONCURRENCY = 8;
/** The dispatcher's default number of contacts in flight (DispatcherOptions.concurrency). */
const DISPATCHER_CONCURRENCY = 32;

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function pool(count, work, concurrency = CONCURRENCY) {
  let next = 0;
  const latencies = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

async function main() {
  const wakePort = await freePort();
  const cairn = await startCairn('journeys', {
    env: {
      CAIRN_DISPATCH_WAKE_LISTEN: `127.0.0.1:${wakePort}`,
      CAIRN_DISPATCH_WAKE_TARGETS: 'off',
    },
    async prepare(db, ws) {
      const now = Date.now();
      const identifies = Array.from(
        { length: CONTACTS * 2 + 20 },
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
  const { db, ws, worker, admin, client, taskQueue, workspaceId } = cairn;
  const wake = createSocket('udp4');
  try {
    const day = { amount: 1, unit: 'days' };
    const manualJourney = await cairn.publishDelayJourney(
      'bench: enrol by hand',
      { type: 'manual' },
      day,
    );
    const eventJourney = await cairn.publishDelayJourney(
      'bench: enrol on an event',
      { type: 'event', event: 'Bench Enrolled' },
      day,
    );
    const stats = async (journeyId) => (await admin(`/api/v1/journeys/${journeyId}/stats`)).json();
    // Every run of a leg reaches its delay before the next leg starts, so legs do not share the worker.
    const settle = async (journeyId, count) => {
      for (let tries = 0; tries < 600; tries++) {
        if (((await stats(journeyId)).nodes?.wait?.waiting ?? 0) >= count) return;
        await sleep(500);
      }
    };
    const apiEnrol = async (contact) => {
      const res = await admin(`/api/v1/journeys/${manualJourney}/enroll`, { contactId: contact });
      if (res.status !== 202)
        throw new Error(`enroll ${contact}: ${res.status} ${await res.text()}`);
    };
    let rawRuns = 0;
    const rawLeg = async (count, concurrency = CONCURRENCY) => {
      const from = rawRuns;
      rawRuns += count;
      return pool(
        count,
        (i) =>
          client.workflow.start('stackProbeWorkflow', {
            taskQueue,
            workflowId: `raw-${taskQueue}-${from + i}`,
            args: [{ sleepMs: 86_400_000 }],
          }),
        concurrency,
      );
    };
    const triggers = journeyTriggerModel(db.connection);
    let eventSeq = 0;
    // The dispatcher's leg: N event triggers in the outbox at once (as a burst of events leaves the fold).
    const dispatcherLeg = async (contacts) => {
      const at = Date.now();
      await enqueueJourneyTriggers(
        db.connection,
        contacts.map((contactId) => ({
          workspaceId,
          contactId,
          kind: 'event',
          messageId: `bench-enrol-${eventSeq++}`,
          event: 'Bench Enrolled',
          properties: {},
          at,
          receivedAt: at,
        })),
      );
      wake.send('wake', wakePort, '127.0.0.1');
      for (;;) {
        if ((await triggers.countDocuments({ workspaceId })) === 0) return;
        await sleep(50);
      }
    };

    console.log('warming up ...');
    await rawLeg(10);
    for (let i = 0; i < 10; i++) await apiEnrol(`c${CONTACTS * 2 + i}`);
    await dispatcherLeg(Array.from({ length: 10 }, (_, i) => `c${CONTACTS * 2 + 10 + i}`));
    await settle(manualJourney, 10);
    await settle(eventJourney, 10);
    await sleep(3000); // let the worker settle before measuring memory
    const rssBefore = rssMiB(worker.pid);
    const stack = stackProcesses();
    const pids = { api: cairn.api.pid, worker: worker.pid, ...stack };
    const legs = [];
    const leg = async (name, run, settled = async () => undefined) => {
      const load = loadAverage();
      const commands = await databaseCommands({ api: cairn.api, worker });
      const cpu = cpuMeter(pids);
      const started = performance.now();
      const latencies = await run();
      const ms = performance.now() - started;
      legs.push({ name, rate: CONTACTS / (ms / 1000), latencies, load, cpu: cpu.stop() });
      console.log(`${name}: ${(CONTACTS / (ms / 1000)).toFixed(1)}/s (load ${load})`);
      await settled();
      // Under BENCH_PROFILE: what each start cost the database, the runs' first steps included.
      for (const line of commandsPer(
        commands,
        await databaseCommands({ api: cairn.api, worker }),
        CONTACTS,
      ))
        console.log(line);
    };

    await leg('raw', () => rawLeg(CONTACTS));
    await leg(
      'api',
      () => pool(CONTACTS, (i) => apiEnrol(`c${i}`)),
      () => settle(manualJourney, CONTACTS + 10),
    );
    await leg(
      'dispatcher',
      async () => {
        await dispatcherLeg(Array.from({ length: CONTACTS }, (_, i) => `c${CONTACTS + i}`));
        return [];
      },
      () => settle(eventJourney, CONTACTS + 10),
    );
    await leg('raw32', () => rawLeg(CONTACTS, DISPATCHER_CONCURRENCY));
    await leg('raw', () => rawLeg(CONTACTS));

    const workflowId = `journey:${workspaceId}:${manualJourney}:c0`;
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events?.length ?? 0;
    const waiting = (await stats(manualJourney)).nodes?.wait?.waiting ?? NaN;
    await sleep(2000);
    const rssAfter = rssMiB(worker.pid);
    const raws = legs.filter((l) => l.name === 'raw');
    const rawRate = raws.reduce((sum, l) => sum + l.rate, 0) / raws.length;
    const ms = (values, p) => `${percentile(values, p).toFixed(0)} ms`;
    const cores = (l) =>
      Object.entries(l.cpu)
        .map(([name, used]) => `${name} ${used.toFixed(2)}`)
        .join(', ');
    const row = (l) =>
      `| ${{ raw: 'raw `workflow.start` of a trivial workflow, 8 in flight', raw32: `raw \`workflow.start\`, ${DISPATCHER_CONCURRENCY} in flight (as many as the dispatcher)`, api: 'API: `POST /journeys/:id/enroll`', dispatcher: 'dispatcher: event triggers in the outbox' }[l.name]} | ${l.rate.toFixed(1)} | ${(l.rate / rawRate).toFixed(2)} | ${l.latencies.length ? `${ms(l.latencies, 50)} / ${ms(l.latencies, 99)}` : '—'} | ${l.load} | ${cores(l)} |`;
    const section = `## Journey enrollment (${today()})

\`npm run bench -- journeys\` (BENCH_ENROLLMENTS=${CONTACTS}). Two published journeys (trigger → delay 1 day → exit), one with a manual trigger, one on an event. In order, in one run on one stack: ${CONTACTS} raw \`workflow.start\` of a trivial sleeping workflow from the bench (${CONCURRENCY} in flight); ${CONTACTS} contacts enrolled through the API, one per request (${CONCURRENCY} in flight); ${CONTACTS} event triggers written to the outbox at once and enrolled by the worker's dispatcher (woken by a datagram; ${DISPATCHER_CONCURRENCY} contacts in flight, its default, until the outbox is empty); ${CONTACTS} raw starts with ${DISPATCHER_CONCURRENCY} in flight; ${CONTACTS} raw starts with ${CONCURRENCY} in flight again. Every run of a leg reaches its delay before the next leg starts. Both enrolment paths run \`enrollInJourney\` (\`@cairn/workflows/client\`): the run record written conditionally in \`contact_journeys\`, coalesced counter bumps, an idempotent \`workflow.start\` with search attributes. ${machine()}, shared with other engineers' builds and tests; embedded FerretDB (SQLite) and Temporal dev server. Cores used = CPU seconds of each process over the leg's wall time.

| leg | per second | vs raw, 8 in flight (mean of both legs: ${rawRate.toFixed(1)}/s) | latency p50 / p99 | load average at start | cores used |
|---|---:|---:|---|---:|---|
${legs.map(row).join('\n')}

| measure | result |
|---|---|
| history events of one run, trigger → waiting on the delay (2 steps) | ${events} (${(events / 2).toFixed(1)} per step) |
| contacts waiting on the manual journey's delay (stats) | ${waiting} |
| worker RSS before → with ${CONTACTS * 2 + 20} journey runs + ${rawRuns + 10} probes waiting | ${rssBefore.toFixed(0)} MiB → ${rssAfter.toFixed(0)} MiB |
`;
    writeSection('journeys', section);
    console.log(section);
  } finally {
    wake.close();
    await cairn.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
