// Event → segment entered → journey started latency at a steady, stated load. Real API and worker
// processes; a segment "has done Order Completed" and a published journey triggered on entering it.
// Each event makes one new contact enter, so every event should end in one journey run.
//
//   t0  the bench sends POST /v1/track
//   ack the API answers (event stored, folded, segments evaluated, outbox trigger written)
//   t1  the contact's membership is first visible in MongoDB (polled by _id from the ack on)
//   t2  Temporal's start time of the contact's journey workflow (describe(), server clock)
//
// Sizes: BENCH_RATES events/s, one run per rate (default 1,5), each for BENCH_SECONDS (default 60).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { machine, percentile, root, startCairn, today, writeSection } from './lib.mjs';

const require = createRequire(join(root, 'package.json'));
const { contactKey, contactModel, journeyTriggerModel } = require('@cairn/db');
const { loadavg } = require('node:os');

const RATES = (process.env.BENCH_RATES ?? '1,5').split(',').map(Number);
const POLL_MS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SEGMENT = 'bench-buyers';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const cairn = await startCairn('latency');
  const { db, workspaceId, client, admin } = cairn;
  const track = (contactId) =>
    fetch(`${cairn.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: cairn.writeAuth, 'content-type': 'application/json' },
      body: JSON.stringify({
        userId: contactId,
        event: 'Order Completed',
        properties: { revenue: 42 },
        messageId: `m-${contactId}`,
      }),
    });
  const member = async (contactId) => {
    const doc = await contactModel(db.connection)
      .findById(contactKey(workspaceId, contactId), { segments: 1 })
      .lean();
    return doc?.segments?.[SEGMENT];
  };
  const runStart = async (contactId, journeyId) => {
    try {
      const described = await client.workflow
        .getHandle(`journey:${workspaceId}:${journeyId}:${contactId}`)
        .describe();
      return described.startTime.getTime();
    } catch {
      return undefined;
    }
  };

  try {
    const segment = await admin('/api/v1/segments', {
      id: SEGMENT,
      name: 'Buyers',
      definition: {
        type: 'all',
        conditions: [{ type: 'event', check: 'performed', event: 'Order Completed' }],
      },
    });
    if (segment.status !== 201)
      throw new Error(`segment: ${segment.status} ${await segment.text()}`);
    const journeyId = await cairn.publishDelayJourney(
      'bench: welcome buyers',
      { type: 'segmentEntered', segmentId: SEGMENT },
      { amount: 1, unit: 'days' },
    );

    // Warm-up: one contact all the way through (caches of keys, segments, journeys; workflow bundle loaded).
    console.log('warm-up ...');
    await track('warmup');
    const warmDeadline = Date.now() + 60_000;
    while ((await runStart('warmup', journeyId)) === undefined) {
      if (Date.now() > warmDeadline)
        throw new Error('the warm-up contact never started its journey');
      await sleep(250);
    }

    // Steady load, open loop: one new contact per tick whatever the answers; each contact is watched from
    // t0 on (an `_id` read every POLL_MS) until its membership shows.
    const ms = (values) =>
      values.length
        ? `${percentile(values, 50).toFixed(0)} ms / ${percentile(values, 99).toFixed(0)} ms`
        : 'n/a';
    const rows = [];
    for (const rate of RATES) {
      const total = Math.round(rate * SECONDS);
      console.log(`sending ${total} events at ${rate}/s ...`);
      const samples = [];
      const inflight = [];
      const load = [];
      const begin = performance.now();
      for (let i = 0; i < total; i++) {
        const due = begin + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        if (i % Math.max(1, Math.round(rate * 10)) === 0) load.push(loadavg()[0]);
        const contactId = `r${rate}-${i}`;
        const s = { contactId, t0: Date.now() };
        samples.push(s);
        // A refused request is counted, not fatal: under overload the point is how many fail and why.
        const request = track(contactId).then(
          async (res) => {
            s.ack = Date.now();
            if (!res.ok) s.failed = `${res.status} ${(await res.text()).slice(0, 200)}`;
          },
          (error) => {
            s.failed = String(error);
          },
        );
        const watch = (async () => {
          for (
            let tries = 0;
            tries < 3000 && s.t1 === undefined && s.failed === undefined;
            tries++
          ) {
            const m = await member(contactId);
            if (m) {
              s.t1 = Date.now();
              s.since = m.since;
            } else await sleep(POLL_MS);
          }
        })();
        inflight.push(request, watch);
      }
      const sendSeconds = (performance.now() - begin) / 1000;
      await Promise.all(inflight);

      // Journey start times come from Temporal, so reading them afterwards does not disturb the run.
      console.log('collecting journey start times ...');
      const deadline = Date.now() + 60_000;
      for (const s of samples) {
        while (s.t1 !== undefined && s.t2 === undefined && Date.now() < deadline) {
          s.t2 = await runStart(s.contactId, journeyId);
          if (s.t2 === undefined) await sleep(250);
        }
      }
      const complete = samples.filter((s) => s.t1 !== undefined && s.t2 !== undefined);
      const left = await journeyTriggerModel(db.connection).countDocuments({});
      if (complete.length < samples.length)
        console.log(
          `${samples.length - complete.length} contacts without a run; ${left} triggers left in the outbox`,
        );
      rows.push({
        rate,
        achieved: samples.length / sendSeconds,
        sent: samples.length,
        entered: samples.filter((s) => s.t1 !== undefined).length,
        failed: samples.filter((s) => s.failed !== undefined).length,
        failure: samples.find((s) => s.failed !== undefined)?.failed,
        started: complete.length,
        load: `${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`,
        ack: ms(samples.filter((s) => s.failed === undefined).map((s) => s.ack - s.t0)),
        arrive: ms(complete.map((s) => s.since - s.t0)),
        segment: ms(complete.map((s) => s.t1 - s.t0)),
        start: ms(complete.map((s) => s.t2 - s.t0)),
        dispatch: ms(complete.map((s) => s.t2 - s.t1)),
        afterAck: ms(complete.map((s) => s.t2 - s.ack)),
      });
    }
    const col = (f) => rows.map(f).join(' | ');
    const section = `## Event → segment → journey latency (${today()})

\`npm run bench -- latency\` (BENCH_RATES=${RATES.join(',')}, BENCH_SECONDS=${SECONDS}): \`POST /v1/track\` calls of \`Order Completed\`, one new contact each, sent open-loop at a steady rate for ${SECONDS} s per load; a live segment "has done Order Completed" and a published journey triggered on entering it (→ delay 1 day → exit). Real API and worker processes (one each), embedded FerretDB (SQLite) and Temporal dev server. ${machine()}, shared with other engineers' builds and tests (load average per load below).
t0 = request sent; ack = 200 received; t1 = membership first visible in MongoDB (each contact read by \`_id\` every ${POLL_MS} ms from t0, so t1 is up to ${POLL_MS} ms late); t2 = the journey workflow's start time in Temporal (\`describe()\`). The membership's own \`since\` is the API's receive time, not its write time.

| measure (p50 / p99) | ${col((r) => `${r.rate} events/s`)} |
|---|${col(() => '---')}|
| events sent (achieved rate) | ${col((r) => `${r.sent} (${r.achieved.toFixed(1)}/s)`)} |
| load average during the run | ${col((r) => r.load)} |
| requests refused (5xx) | ${col((r) => r.failed)} |
| contacts entered / journey runs started | ${col((r) => `${r.entered} / ${r.started}`)} |
| ingest ack (t0 → 200) | ${col((r) => r.ack)} |
| request reached the API (membership \`since\` − t0) | ${col((r) => r.arrive)} |
| segment entered, visible (t1 − t0) | ${col((r) => r.segment)} |
| journey run started (t2 − t0) | ${col((r) => r.start)} |
| segment entered → run started (t2 − t1) | ${col((r) => r.dispatch)} |
| ack → run started (t2 − ack) | ${col((r) => r.afterAck)} |
${rows.some((r) => r.started < r.entered) ? `\n**Lost enrollments:** ${rows.map((r) => `${r.entered - r.started} of ${r.entered} at ${r.rate}/s`).join(', ')} entered the segment but never got a journey run. The dispatcher rechecks a trigger whose membership is not visible yet (\`membershipRechecks\`) before calling it stale, so this is a bug to chase: see the worker log.\n` : ''}
How to read it: segment evaluation runs inside the ingest request, so t1 comes before the ack; the journey run starts when the worker's dispatcher next polls the \`journey_triggers\` outbox (every 500 ms when idle), re-reads the membership, reserves the enrollment in MongoDB and calls \`workflow.start\`, all on the single SQLite writer. When the offered rate exceeds what ingestion sustains, acks queue up (per-process serialized member counting sits inside the request) and FerretDB answers SQLITE_BUSY, which the API returns as a 503 with Retry-After.
${rows.some((r) => r.failure) ? `\nFirst refusal: \`${rows.find((r) => r.failure).failure.replace(/`/g, "'")}\`\n` : ''}`;
    writeSection('latency', section);
    console.log(section);
  } finally {
    await cairn.stop();
  }
}

process.on('unhandledRejection', (error) => {
  console.error(error);
  process.exitCode = 1;
});

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
