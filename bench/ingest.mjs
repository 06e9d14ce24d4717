// Ingestion throughput: events/s through POST /v1/batch (validation, dedupe, durable store, profile fold,
// segment evaluation) against the same events inserted raw into the same database, in the same run.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort, machine, percentile, requireEnv, root, startApp, stopApp, today, writeSection } from './lib.mjs';

const require = createRequire(join(root, 'package.json'));
const { connectDatabase, createWorkspace, syncIndexes, createSegment } = require('@cairn/db');
const { normalizeEvent, SEGMENT_TEMPLATES } = require('@cairn/core');
const { generateDemoStore } = require('@cairn/demo');

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 300);
const BATCH = 500;
const CONCURRENCY = 2;

async function main() {
  const mongoUrl = requireEnv('MONGO_URL');
  const dbName = `bench_ingest_${Date.now()}`;
  const db = await connectDatabase(mongoUrl, dbName);
  await syncIndexes(db.connection);
  const ws = await createWorkspace(db.connection, { name: 'bench', slug: `bench-${Date.now()}` });
  for (const t of SEGMENT_TEMPLATES) {
    await createSegment(db.connection, ws.workspace._id, { segmentId: t.id, name: t.name, definition: t.definition });
  }
  const now = Date.now();
  const events = generateDemoStore({ seed: 7, contacts: CONTACTS, now }).events;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = await startApp('api', { MONGO_DB: dbName, CAIRN_API_PORT: String(port), CAIRN_SECRET_KEY: 'bench-secret-bench-secret-bench-secret!!' }, async () => (await fetch(`${url}/healthz`)).ok);
  const auth = `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`;
  try {
    // Cairn: the whole pipeline through HTTP.
    const batches = [];
    for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
    const latencies = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < batches.length) {
          const batch = batches[next++];
          const t = performance.now();
          const res = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
          if (!res.ok) throw new Error(`batch failed: ${res.status} ${await res.text()}`);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const cairnMs = performance.now() - started;

    // Raw engine: the same normalized events, insertMany into one collection of the same database.
    const raw = db.connection.db.collection('bench_raw_events');
    const normalized = events.map((e) => normalizeEvent(e, { receivedAt: now, now }).event);
    const rawStarted = performance.now();
    let i = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (i < normalized.length) {
          const slice = normalized.slice(i, (i += BATCH));
          await raw.insertMany(slice.map((e) => ({ _id: `${ws.workspace._id}:${e.messageId}`, ...e })), { ordered: false });
        }
      }),
    );
    const rawMs = performance.now() - rawStarted;
    const cairnRate = events.length / (cairnMs / 1000);
    const rawRate = events.length / (rawMs / 1000);
    const section = `## Ingestion (${today()})

\`npm run bench -- ingest\` (BENCH_CONTACTS=${CONTACTS}): ${events.length} demo-store events from ${CONTACTS} contacts, \`POST /v1/batch\` with ${BATCH} events per request and ${CONCURRENCY} concurrent clients, against the embedded FerretDB (SQLite) on ${machine()}. ${SEGMENT_TEMPLATES.length} segments are live, so every fold also re-evaluates memberships.

| measure | result |
|---|---|
| Cairn: events/s through /v1/batch (validate, dedupe, store, fold, segments) | ${cairnRate.toFixed(0)} |
| raw engine: events/s, insertMany of the same events, same database | ${rawRate.toFixed(0)} |
| ratio Cairn / raw | ${(cairnRate / rawRate).toFixed(2)} |
| batch latency p50 / p99 | ${percentile(latencies, 50).toFixed(0)} ms / ${percentile(latencies, 99).toFixed(0)} ms |
`;
    writeSection('ingest', section);
    console.log(section);
  } finally {
    await stopApp(api);
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
