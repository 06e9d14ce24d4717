// Reads a marketer waits on, with a big event log behind them: a contact page, a segment's members page and a
// contact search, each timed through the API, beside raw `_id` reads of the same contact documents.
//
//   BENCH_READ_CONTACTS (2000) demo contacts over 60 days ingested through /v1/batch (13 segments live), then
//   the event log topped up to BENCH_EVENTS (1,000,000) with raw inserts of event documents for those contacts.
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

const require = createRequire(join(root, 'package.json'));
const {
  connectDatabase,
  createWorkspace,
  syncIndexes,
  createSegment,
  contactKey,
} = require('@cairn/db');
const { SEGMENT_TEMPLATES } = require('@cairn/core');
const { generateDemoStore } = require('@cairn/demo');

const CONTACTS = Number(process.env.BENCH_READ_CONTACTS ?? 2000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_READ_SAMPLES ?? 200);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function timed(samples, read) {
  const ms = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await read(i);
    ms.push(performance.now() - t);
  }
  return ms;
}

async function main() {
  const dbName = `bench_reads_${Date.now()}`;
  const db = await connectDatabase(requireEnv('MONGO_URL'), dbName);
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
      CAIRN_RATE_LIMIT_API_PER_MINUTE: '0',
    },
    async () => (await fetch(`${url}/healthz`)).ok,
  );
  try {
    const ws = await createWorkspace(db.connection, {
      name: 'bench-reads',
      slug: `bench-reads-${Date.now()}`,
    });
    const wsId = ws.workspace._id;
    for (const t of SEGMENT_TEMPLATES)
      await createSegment(db.connection, wsId, {
        segmentId: t.id,
        name: t.name,
        definition: t.definition,
      });
    const auth = `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`;
    const admin = { authorization: `Bearer ${ws.adminKey}` };
    const demo = generateDemoStore({ seed: 5, contacts: CONTACTS, days: 60, now: Date.now() });
    for (let i = 0; i < demo.events.length; i += 500) {
      const res = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ batch: demo.events.slice(i, i + 500) }),
      });
      if (!res.ok) throw new Error(`batch failed: ${res.status} ${await res.text()}`);
    }
    for (;;) {
      const lag = await (await fetch(`${url}/api/v1/ingestion`, { headers: admin })).json();
      if (lag.unfoldedEvents === 0) break;
      await sleep(500);
    }
    // Top the log up with event documents as ingestion stores them, for the same contacts.
    const ids = demo.contacts.map((c) => c.userId);
    const events = db.connection.db.collection('events');
    let stored = await events.countDocuments({ workspaceId: wsId });
    const filler = stored;
    const now = Date.now();
    while (stored < EVENTS) {
      const n = Math.min(500, EVENTS - stored);
      const docs = Array.from({ length: n }, (_, i) => {
        const messageId = `fill-${stored + i}`;
        const contactId = ids[(stored + i) % ids.length];
        return {
          _id: `${wsId}:${messageId}`,
          workspaceId: wsId,
          contactId,
          messageId,
          type: 'track',
          userId: contactId,
          event: 'Page Viewed',
          properties: { path: `/p/${i % 100}` },
          traits: {},
          context: {},
          timestamp: now - i * 1000,
          receivedAt: now,
        };
      });
      await events.insertMany(docs, { ordered: false });
      stored += n;
    }

    const pick = (i) => ids[(i * 7919) % ids.length];
    const contactMs = await timed(SAMPLES, async (i) => {
      const res = await fetch(`${url}/api/v1/contacts/${encodeURIComponent(pick(i))}`, {
        headers: admin,
      });
      if (!res.ok) throw new Error(`contact ${pick(i)}: ${res.status}`);
      await res.arrayBuffer();
    });
    const contacts = db.connection.db.collection('contacts');
    const rawMs = await timed(SAMPLES, (i) => contacts.findOne({ _id: contactKey(wsId, pick(i)) }));
    // The largest segment's members, page after page.
    const segments = await (await fetch(`${url}/api/v1/segments`, { headers: admin })).json();
    const biggest = [...segments].sort((a, b) => (b.memberCount ?? 0) - (a.memberCount ?? 0))[0];
    let cursor;
    const membersMs = await timed(Math.min(50, SAMPLES), async () => {
      const res = await fetch(
        `${url}/api/v1/segments/${biggest.id ?? biggest.segmentId}/members${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
        { headers: admin },
      );
      if (!res.ok) throw new Error(`members: ${res.status}`);
      cursor = (await res.json()).nextCursor;
    });
    const searchMs = await timed(Math.min(50, SAMPLES), async (i) => {
      const res = await fetch(
        `${url}/api/v1/contacts?q=${encodeURIComponent(pick(i).slice(0, 6))}`,
        { headers: admin },
      );
      if (!res.ok) throw new Error(`search: ${res.status}`);
      await res.arrayBuffer();
    });
    const row = (label, ms, target = '') =>
      `| ${label} | ${percentile(ms, 50).toFixed(1)} ms | ${percentile(ms, 99).toFixed(1)} ms | ${target} |`;
    const label = engineLabel(db.capabilities);
    const section = `## Reads with a big event log on ${label.name} (${today()})

\`${label.prefix}npm run bench -- reads\` on ${machine()}, ${label.described}, one API process, load average ${loadavg()[0].toFixed(1)}. ${CONTACTS} demo contacts (60 days, ${filler} events through \`/v1/batch\`, ${SEGMENT_TEMPLATES.length} segments live), the event log topped up to ${stored} events. Each read is one request at a time through the API.

| read | p50 | p99 | target |
|---|---|---|---|
${row(`\`GET /api/v1/contacts/:id\` (profile, segments, journeys, latest events), ${SAMPLES} contacts`, contactMs, 'p99 ≤ 50 ms')}
${row('raw `findOne({_id})` of the same contact documents', rawMs)}
${row(`\`GET /api/v1/segments/:id/members\`, ${membersMs.length} pages of '${biggest.name}' (${biggest.memberCount} members)`, membersMs, 'p99 ≤ 100 ms')}
${row(`\`GET /api/v1/contacts?q=\` (search by id, email or name), ${searchMs.length} searches`, searchMs)}
`;
    writeSection(`reads-${label.engine}`, section);
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
