// Ingestion: events/s through POST /v1/batch, acknowledged AND folded into profiles (the clock stops when the
// last event is folded), against insertMany of the same documents into the same database in the same run;
// the fold lag at a steady rate; every event from a new contact; and the bytes a contact and an event take.
//
//   BENCH_CONTACTS (10000) contacts with skewed activity over BENCH_DAYS (14) days of the demo store's
//   behaviour, 100 events per request, 4 concurrent clients, the 13 demo segments live.
//   BENCH_NEW_CONTACTS (20000) events from as many new contacts.
//   BENCH_STEADY_RATE (1000) events/s for BENCH_STEADY_SECONDS (20) s: fold lag sampled every 200 ms.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import {
  freePort,
  machine,
  percentile,
  requireEnv,
  root,
  startApp,
  stopApp,
  today,
  writeSection,
  engineLabel,
} from './lib.mjs';
import { cpuMeter, stackProcesses } from './procs.mjs';

const require = createRequire(join(root, 'package.json'));
const { BSON } = require('mongodb');
const {
  connectDatabase,
  createWorkspace,
  syncIndexes,
  createSegment,
  encodeDocumentKeys,
} = require('@cairn/db');
const { normalizeEvent, SEGMENT_TEMPLATES } = require('@cairn/core');
const { generateDemoStore } = require('@cairn/demo');

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 10_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 14);
const NEW_CONTACTS = Number(process.env.BENCH_NEW_CONTACTS ?? 20_000);
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 1000);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 20);
const BATCH = 100;
const CONCURRENCY = 4;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const mongoUrl = requireEnv('MONGO_URL');
  const dbName = `bench_ingest_${Date.now()}`;
  const db = await connectDatabase(mongoUrl, dbName);
  await syncIndexes(db.connection);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = await startApp(
    'api',
    {
      MONGO_DB: dbName,
      CAIRN_API_PORT: String(port),
      CAIRN_SECRET_KEY: 'bench-secret-bench-secret-bench-secret!!',
      CAIRN_RATE_LIMIT_INGEST_PER_MINUTE: '0',
    },
    async () => (await fetch(`${url}/healthz`)).ok,
  );

  async function workspace(name) {
    const ws = await createWorkspace(db.connection, { name, slug: `${name}-${Date.now()}` });
    for (const t of SEGMENT_TEMPLATES)
      await createSegment(db.connection, ws.workspace._id, {
        segmentId: t.id,
        name: t.name,
        definition: t.definition,
      });
    return {
      ...ws,
      auth: `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`,
      admin: `Bearer ${ws.adminKey}`,
    };
  }
  async function post(ws, batch) {
    const t = performance.now();
    const res = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: ws.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    if (!res.ok) throw new Error(`batch failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - t;
  }
  async function lagOf(ws) {
    const res = await fetch(`${url}/api/v1/ingestion`, { headers: { authorization: ws.admin } });
    return res.json();
  }
  async function untilFolded(ws) {
    for (;;) {
      if ((await lagOf(ws)).unfoldedEvents === 0) return;
      await sleep(100);
    }
  }
  /** Sends `events` with CONCURRENCY clients, BATCH per request; the clock stops once all are folded. */
  async function sendAndFold(ws, events) {
    const batches = [];
    for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
    const latencies = [];
    let next = 0;
    const cpu = cpuMeter({ api: api.pid, ferretdb: stackProcesses().ferretdb, bench: process.pid });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < batches.length) latencies.push(await post(ws, batches[next++]));
      }),
    );
    const ackedMs = performance.now() - started;
    await untilFolded(ws);
    return { ackedMs, foldedMs: performance.now() - started, latencies, cores: cpu.stop() };
  }
  async function rawInsert(events, wsId, collection) {
    // The same documents Cairn stores: the normalized event, keys escaped, keyed by workspace + messageId.
    const docs = events
      .map((e) => normalizeEvent(e, { receivedAt: Date.now(), now: Date.now() }).event)
      .map((e) => ({
        ...encodeDocumentKeys(e),
        _id: `${wsId}:${e.messageId}`,
        workspaceId: wsId,
        contactId: e.userId ?? `anon:${e.anonymousId}`,
      }));
    const raw = db.connection.db.collection(collection);
    let i = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (i < docs.length) {
          const slice = docs.slice(i, (i += BATCH));
          await raw.insertMany(slice, { ordered: false });
        }
      }),
    );
    return performance.now() - started;
  }
  async function sizes(wsId) {
    const size = (d) => BSON.calculateObjectSize(d);
    const contacts = (
      await db.connection.db.collection('contacts').find({ workspaceId: wsId }).toArray()
    )
      .map(size)
      .sort((a, b) => a - b);
    const activity = (
      await db.connection.db.collection('contact_activity').find({ workspaceId: wsId }).toArray()
    )
      .map(size)
      .sort((a, b) => a - b);
    const events = (
      await db.connection.db.collection('events').find({ workspaceId: wsId }).toArray()
    ).map(size);
    const sum = (xs) => xs.reduce((a, b) => a + b, 0);
    return { contacts, activity, events, sum };
  }

  const loads = [];
  const sampleLoad = setInterval(() => loads.push(loadavg()[0]), 5_000);
  try {
    // 1. Demo-shaped traffic.
    const demoWs = await workspace('bench-demo');
    const demo = generateDemoStore({
      seed: 7,
      contacts: CONTACTS,
      days: DAYS,
      now: Date.now(),
    }).events;
    console.log(`demo-shaped: ${demo.length} events from ${CONTACTS} contacts`);
    const demoRun = await sendAndFold(demoWs, demo);
    const demoRawMs = await rawInsert(demo, demoWs.workspace._id, 'bench_raw_demo');
    const demoRate = demo.length / (demoRun.foldedMs / 1000);
    const demoRawRate = demo.length / (demoRawMs / 1000);
    const demoSizes = await sizes(demoWs.workspace._id);

    // The demo store `npm start` seeds (150 contacts, a year): how big its contacts' documents are.
    const storeWs = await workspace('bench-store');
    await sendAndFold(
      storeWs,
      generateDemoStore({ seed: 42, contacts: 150, now: Date.now() }).events,
    );
    const storeSizes = await sizes(storeWs.workspace._id);

    // 2. Every event from a new contact.
    const freshWs = await workspace('bench-new');
    const fresh = Array.from({ length: NEW_CONTACTS }, (_, i) => ({
      type: 'track',
      userId: `new-${i}`,
      event: 'Product Viewed',
      messageId: `new-${i}`,
      properties: { product_id: `p${i % 50}`, category: 'Coffee' },
    }));
    const freshRun = await sendAndFold(freshWs, fresh);
    const freshRate = NEW_CONTACTS / (freshRun.foldedMs / 1000);

    // 3. A steady rate: how far folding falls behind.
    const steadyWs = await workspace('bench-steady');
    const steady = generateDemoStore({
      seed: 11,
      contacts: Math.max(100, Math.round((STEADY_RATE * STEADY_SECONDS) / 20)),
      days: 30,
      now: Date.now(),
    }).events.slice(0, STEADY_RATE * STEADY_SECONDS);
    const lags = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        lags.push((await lagOf(steadyWs)).foldLagMs);
        await sleep(200);
      }
    })();
    const perTick = Math.max(1, Math.round(STEADY_RATE / 10));
    const steadyStarted = performance.now();
    const inflight = [];
    for (let sent = 0, tick = 0; sent < steady.length; tick++) {
      const due = steadyStarted + tick * 100;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const slice = steady.slice(sent, sent + perTick);
      sent += slice.length;
      for (let i = 0; i < slice.length; i += BATCH)
        inflight.push(post(steadyWs, slice.slice(i, i + BATCH)));
    }
    await Promise.all(inflight);
    const steadySendS = (performance.now() - steadyStarted) / 1000;
    await untilFolded(steadyWs);
    sampling = false;
    await sampler;

    const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
    const label = engineLabel(db.capabilities);
    const section = `## Ingestion on ${label.name} (${today()})

\`${label.prefix}npm run bench -- ingest\` on ${machine()}, ${label.described}, one API process, load average ${Math.min(...loads, loadavg()[0]).toFixed(1)}–${Math.max(...loads, loadavg()[0]).toFixed(1)} during the run. The API answers once a request's events are appended to the event log and folds them into profiles just behind (decision 011); every rate below stops its clock when the last event is **folded** (\`GET /api/v1/ingestion\` reports none left), not when it was acknowledged. The ${SEGMENT_TEMPLATES.length} demo segments are live, so every fold also re-evaluates memberships.

| measure | result | target |
|---|---|---|
| demo-shaped traffic: ${demo.length} events, ${CONTACTS} contacts with skewed activity over ${DAYS} days, ${BATCH} per request, ${CONCURRENCY} clients: events/s acknowledged and folded | ${demoRate.toFixed(0)} | ≥ 2,000 |
| raw engine: insertMany of the same documents, same database, same clients | ${demoRawRate.toFixed(0)} | |
| ratio Cairn / raw | ${(demoRate / demoRawRate).toFixed(2)} | ≥ 0.2 |
| of which acknowledging alone (append to the log): events/s | ${(demo.length / (demoRun.ackedMs / 1000)).toFixed(0)} | |
| request latency p50 / p99 (answer on append) | ${percentile(demoRun.latencies, 50).toFixed(0)} ms / ${percentile(demoRun.latencies, 99).toFixed(0)} ms | |
| cores used while it ran (of 2): API / FerretDB / the bench's clients | ${demoRun.cores.api.toFixed(2)} / ${demoRun.cores.ferretdb.toFixed(2)} / ${demoRun.cores.bench.toFixed(2)} | |
| every event from a new contact (${NEW_CONTACTS} contacts, one event each): events/s acknowledged and folded | ${freshRate.toFixed(0)} | ≥ 500 |
| fold lag at a steady ${STEADY_RATE} events/s offered for ${STEADY_SECONDS} s (sent in ${steadySendS.toFixed(1)} s): p50 / p99 / max | ${(percentile(lags, 50) / 1000).toFixed(2)} s / ${(percentile(lags, 99) / 1000).toFixed(2)} s / ${(Math.max(...lags) / 1000).toFixed(2)} s | p99 ≤ 2 s |
| the demo store \`npm start\` seeds (150 contacts, a year of events): contact document median / p99 / max | ${kb(percentile(storeSizes.contacts, 50))} / ${kb(percentile(storeSizes.contacts, 99))} / ${kb(storeSizes.contacts.at(-1) ?? 0)} | median ≤ 4 KB, p99 ≤ 16 KB |
| the same contacts' activity documents: median / p99 / max | ${kb(percentile(storeSizes.activity, 50))} / ${kb(percentile(storeSizes.activity, 99))} / ${kb(storeSizes.activity.at(-1) ?? 0)} | |
| contact document (BSON) after the demo-shaped run: median / p99 / max | ${kb(percentile(demoSizes.contacts, 50))} / ${kb(percentile(demoSizes.contacts, 99))} / ${kb(demoSizes.contacts.at(-1) ?? 0)} | |
| activity document (per-day series, latest occurrences): median / p99 | ${kb(percentile(demoSizes.activity, 50))} / ${kb(percentile(demoSizes.activity, 99))} | |
| stored event: mean bytes | ${(demoSizes.sum(demoSizes.events) / Math.max(1, demoSizes.events.length)).toFixed(0)} B | |
| bytes per contact (contact + activity) / per event | ${kb((demoSizes.sum(demoSizes.contacts) + demoSizes.sum(demoSizes.activity)) / Math.max(1, demoSizes.contacts.length))} / ${(demoSizes.sum(demoSizes.events) / Math.max(1, demoSizes.events.length)).toFixed(0)} B | |
`;
    writeSection(`ingest-${label.engine}`, section);
    console.log(section);
  } finally {
    clearInterval(sampleLoad);
    await stopApp(api);
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
