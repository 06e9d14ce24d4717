// Event → segment entered → journey started latency at a steady, stated load. Real API and worker
// processes; a segment "has done Order Completed" and a published journey triggered on entering it.
// Each probe event makes one new contact enter, so every probe should end in one journey run. Background
// traffic (page views of other contacts, through /v1/batch) keeps ingestion, the outbox and the dispatcher busy.
//
//   t0  the bench sends POST /v1/track
//   ack the API answers (event stored; the fold, segment evaluation and outbox trigger follow just behind)
//   t1  the contact's membership is first visible in MongoDB (polled by _id from the ack on)
//   t2  Temporal's start time of the contact's journey workflow (describe(), server clock)
//
// Each mode starts its own API and worker: `wake` (the API wakes the dispatcher with a datagram after each
// trigger write) and `poll` (CAIRN_DISPATCH_WAKE_LISTEN=off: the dispatcher finds triggers at its 500 ms poll).
// Raw `workflow.start` of a trivial workflow is timed at the probe rate during the same load.
//
// Sizes: BENCH_RATES probe events/s (default 5), BENCH_BACKGROUND background events/s (default 200),
// BENCH_SECONDS per load (default 30), BENCH_LATENCY_MODES (default wake,poll).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort, machine, percentile, root, startCairn, today, writeSection } from './lib.mjs';

const require = createRequire(join(root, 'package.json'));
const { contactKey, contactModel, journeyTriggerModel } = require('@cairn/db');
const { loadavg } = require('node:os');

const RATES = (process.env.BENCH_RATES ?? '5').split(',').map(Number);
const BACKGROUND = Number(process.env.BENCH_BACKGROUND ?? 200);
const MODES = (process.env.BENCH_LATENCY_MODES ?? 'wake,poll').split(',');
const POLL_MS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const SEGMENT = 'bench-buyers';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const rows = [];
  for (const mode of MODES) {
    // A port of this run's own: other benches on the machine may have a worker listening on the default.
    const wake = `127.0.0.1:${await freePort()}`;
    const env =
      mode === 'poll'
        ? { CAIRN_DISPATCH_WAKE_LISTEN: 'off', CAIRN_DISPATCH_WAKE_TARGETS: 'off' }
        : { CAIRN_DISPATCH_WAKE_LISTEN: wake, CAIRN_DISPATCH_WAKE_TARGETS: wake };
    rows.push(...(await measure(mode, await startCairn(`latency-${mode}`, { env }))));
  }
  report(rows);
}

async function measure(mode, cairn) {
  const { db, workspaceId, client, admin, taskQueue } = cairn;
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
  // Background: page views of 1,000 other contacts, 1/10 of the rate every 100 ms, answers not awaited in order.
  const background = (rate) => {
    const stats = { sent: 0, failed: 0 };
    if (rate <= 0) return { stats, stop: async () => undefined };
    let n = 0;
    const inflight = new Set();
    const perTick = Math.max(1, Math.round(rate / 10));
    const timer = setInterval(() => {
      const batch = Array.from({ length: perTick }, () => {
        n += 1;
        return {
          type: 'track',
          userId: `bg-${n % 1000}`,
          event: 'Page Viewed',
          properties: { path: `/p/${n % 50}` },
          messageId: `bg-${mode}-${n}`,
        };
      });
      stats.sent += batch.length;
      const request = fetch(`${cairn.url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: cairn.writeAuth, 'content-type': 'application/json' },
        body: JSON.stringify({ batch }),
      })
        .then(async (res) => {
          if (!res.ok) stats.failed += batch.length;
          await res.arrayBuffer();
        })
        .catch(() => {
          stats.failed += batch.length;
        })
        .finally(() => inflight.delete(request));
      inflight.add(request);
    }, 100);
    return {
      stats,
      stop: async () => {
        clearInterval(timer);
        await Promise.all([...inflight]);
      },
    };
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
    const rows = [];
    for (const rate of RATES) {
      const total = Math.round(rate * SECONDS);
      console.log(
        `${mode}: sending ${total} probe events at ${rate}/s over ${BACKGROUND}/s of background ...`,
      );
      const samples = [];
      const inflight = [];
      const load = [];
      const raw = [];
      const bg = background(BACKGROUND);
      await sleep(3000); // the background reaches its pace before the first probe
      const begin = performance.now();
      for (let i = 0; i < total; i++) {
        const due = begin + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        if (i % Math.max(1, Math.round(rate * 10)) === 0) load.push(loadavg()[0]);
        const contactId = `${mode}-r${rate}-${i}`;
        // Raw engine under the same load: a trivial workflow started at the probe rate.
        const rawStart = performance.now();
        inflight.push(
          client.workflow
            .start('stackProbeWorkflow', {
              taskQueue,
              workflowId: `raw-${taskQueue}-${rate}-${i}`,
              args: [{ sleepMs: 1 }],
            })
            .then(
              () => raw.push(performance.now() - rawStart),
              () => undefined,
            ),
        );
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
      // The background lasts as long as the probes, not while their answers are collected.
      await bg.stop();
      await Promise.all(inflight);

      // Journey start times come from Temporal, so reading them afterwards does not disturb the run.
      console.log('collecting journey start times ...');
      const deadline = Date.now() + 180_000;
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
        mode,
        rate,
        background: `${bg.stats.sent} sent, ${bg.stats.failed} refused`,
        raw: ms(raw),
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
    return rows;
  } finally {
    await cairn.stop();
  }
}

const ms = (values) =>
  values.length
    ? `${percentile(values, 50).toFixed(0)} ms / ${percentile(values, 99).toFixed(0)} ms`
    : 'n/a';

function report(rows) {
  const col = (f) => rows.map(f).join(' | ');
  const section = `## Event → segment → journey latency (${today()})

\`npm run bench -- latency\` (BENCH_RATES=${RATES.join(',')}, BENCH_BACKGROUND=${BACKGROUND}, BENCH_SECONDS=${SECONDS}, BENCH_LATENCY_MODES=${MODES.join(',')}): probe \`POST /v1/track\` calls of \`Order Completed\`, one new contact each, sent open-loop at a steady rate for ${SECONDS} s, over ${BACKGROUND} events/s of background page views (1,000 other contacts, \`/v1/batch\` every 100 ms; no journey hears page views, so they write no outbox trigger since decision 018, but their folds share the database with the probes); a live segment "has done Order Completed" and a published journey triggered on entering it (→ delay 1 day → exit). Each mode has its own real API and worker processes (one each), embedded FerretDB (SQLite) and Temporal dev server. \`wake\`: the API sends the worker a datagram after each trigger write; \`poll\`: wake-ups off, the dispatcher polls the outbox every 500 ms. Raw \`workflow.start\` = a trivial workflow started by the bench at the probe rate during the same load (client call time). ${machine()}, shared with other engineers' builds and tests (load average per load below).
t0 = request sent; ack = 200 received; t1 = membership first visible in MongoDB (each contact read by \`_id\` every ${POLL_MS} ms from t0, so t1 is up to ${POLL_MS} ms late); t2 = the journey workflow's start time in Temporal (\`describe()\`).

| measure (p50 / p99) | ${col((r) => `${r.mode}, ${r.rate} events/s`)} |
|---|${col(() => '---')}|
| probe events sent (achieved rate) | ${col((r) => `${r.sent} (${r.achieved.toFixed(1)}/s)`)} |
| background events | ${col((r) => r.background)} |
| load average during the run | ${col((r) => r.load)} |
| probe requests refused (5xx) | ${col((r) => r.failed)} |
| contacts entered / journey runs started | ${col((r) => `${r.entered} / ${r.started}`)} |
| ingest ack (t0 → 200) | ${col((r) => r.ack)} |
| segment entered, visible (t1 − t0) | ${col((r) => r.segment)} |
| **journey run started (t2 − t0)** | ${col((r) => r.start)} |
| segment entered → run started (t2 − t1) | ${col((r) => r.dispatch)} |
| raw \`workflow.start\` (same load) | ${col((r) => r.raw)} |
${rows.some((r) => r.started < r.entered) ? `\n**Lost enrollments:** ${rows.map((r) => `${r.entered - r.started} of ${r.entered} (${r.mode}, ${r.rate}/s)`).join(', ')} entered the segment but never got a journey run within three minutes of the last probe: see the worker log.\n` : ''}
How to read it: the API acknowledges once the event is appended and folds it just behind (decision 011); the fold evaluates segments, writes the outbox trigger, then the membership. t1 − t0 is therefore the fold lag, which the background traffic sets; t2 − t1 is what the dispatcher adds. Each probe's membership is read every ${POLL_MS} ms until it shows, so the watching itself loads the database while the fold lags. In \`wake\` mode the write wakes the worker's dispatcher at once (decision 018), which re-reads the membership, reserves the enrollment and calls \`workflow.start\`, all on the single SQLite writer that the background traffic also uses. In \`poll\` mode the trigger waits for the next 500 ms poll, as every trigger did before.
${rows.some((r) => r.failure) ? `\nFirst refusal: \`${rows.find((r) => r.failure).failure.replace(/`/g, "'")}\`\n` : ''}`;
  writeSection('latency', section);
  console.log(section);
}

process.on('unhandledRejection', (error) => {
  console.error(error);
  process.exitCode = 1;
});

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
