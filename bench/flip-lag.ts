// Flip lag: from the instant a time window runs out to the contact's changed membership being stored, with two
// due schedulers running (two worker processes' worth, each its own connection) and the events folded by
// another process (as the API does), so the schedulers learn of the due instants only from the due list.
//
//   npx tsc -p bench/tsconfig.json && node packages/dev-stack/dist/cli.js exec -- node bench/dist/flip-lag.js [--contacts 300] [--write]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { CairnEvent } from '@cairn/core';
import {
  connectDatabase,
  createSegment,
  createWorkspace,
  ingestEvents,
  startDueScheduler,
  syncIndexes,
} from '@cairn/db';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const CONTACTS = Number(arg('contacts', '300'));
const BYSTANDERS = Number(arg('bystanders', '1000'));
/** Contacts whose windows all run out at one instant, after the spread ones. */
const BURST = Number(arg('burst', '100'));
const WRITE = process.argv.includes('--write');
/** Due instants spread over this long, starting LEAD after the events are folded. */
const SPREAD_MS = 60_000;
const LEAD_MS = 20_000;
const MAX_SLEEP_MS = 10_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** The child: folds the orders in its own process, so the schedulers hear of nothing but the due list. */
async function ingestChild(url: string, dbName: string, workspaceId: string, firstDue: number) {
  const db = await connectDatabase(url, dbName);
  const now = Date.now();
  const event = (userId: string, name: string, messageId: string, at: number): CairnEvent => ({
    messageId,
    type: 'track',
    userId,
    event: name,
    properties: {},
    traits: {},
    context: {},
    timestamp: at,
    receivedAt: now,
  });
  // "No order in the last minute" runs out 60 s (+1 ms) after the order.
  const orders = Array.from({ length: CONTACTS }, (_, i) =>
    event(
      `c${i}`,
      'Order Completed',
      `o${i}`,
      firstDue + Math.floor((i * SPREAD_MS) / CONTACTS) - 60_001,
    ),
  );
  const burstAt = firstDue + SPREAD_MS + 10_000;
  const burst = Array.from({ length: BURST }, (_, i) =>
    event(`z${i}`, 'Order Completed', `z${i}`, burstAt - 60_001),
  );
  const views = Array.from({ length: BYSTANDERS }, (_, i) =>
    event(`b${i}`, 'Page Viewed', `v${i}`, now),
  );
  const all = [...orders, ...burst, ...views];
  for (let i = 0; i < all.length; i += 200)
    await ingestEvents(db.connection, workspaceId, all.slice(i, i + 200));
  await db.close();
}

async function main() {
  const url = process.env.MONGO_URL;
  if (!url)
    throw new Error(
      'MONGO_URL is not set: run through `node packages/dev-stack/dist/cli.js exec -- ...`',
    );
  if (process.argv.includes('--child'))
    return ingestChild(url, arg('db', ''), arg('workspace', ''), Number(arg('first-due', '0')));

  const dbName = `bench_fliplag_${randomBytes(4).toString('hex')}`;
  const db = await connectDatabase(url, dbName);
  const other = await connectDatabase(url, dbName);
  try {
    await syncIndexes(db.connection);
    const workspaceId = (
      await createWorkspace(db.connection, {
        name: 'Bench',
        slug: `bench-${randomBytes(3).toString('hex')}`,
      })
    ).workspace._id;
    await createSegment(db.connection, workspaceId, {
      segmentId: 'no-order-1m',
      name: 'No order in the last minute',
      definition: {
        type: 'all',
        conditions: [
          {
            type: 'event',
            check: 'lastPerformed',
            event: 'Order Completed',
            operator: 'moreThanAgo',
            value: { amount: 1, unit: 'minutes' },
          },
        ],
      },
    });
    // Bystanders: due at a midnight a week away, in a bucket no sweep of today reads.
    await createSegment(db.connection, workspaceId, {
      segmentId: 'viewed-7d',
      name: 'Viewed in the last 7 days',
      definition: {
        type: 'all',
        conditions: [
          {
            type: 'event',
            check: 'performed',
            event: 'Page Viewed',
            window: { amount: 7, unit: 'days' },
          },
        ],
      },
    });
    const loadBefore = loadavg()[0] ?? 0;
    const lags: number[] = [];
    const burstLags: number[] = [];
    let evaluated = 0;
    let bucketsRead = 0;
    let sweeps = 0;
    const schedulers = [db, other].map((d) =>
      startDueScheduler(d.connection, {
        maxSleepMs: MAX_SLEEP_MS,
        onFlip: (f) => (f.contactId.startsWith('z') ? burstLags : lags).push(f.storedAt - f.dueAt),
        onSweep: (r) => {
          sweeps++;
          evaluated += r.contactsEvaluated;
          bucketsRead += r.bucketsRead;
        },
      }),
    );
    // Estimate the fold time, then place the first due instant LEAD after it.
    const foldEstimateMs = (CONTACTS + BURST + BYSTANDERS) * 15;
    const firstDue = Date.now() + foldEstimateMs + LEAD_MS;
    const t = Date.now();
    // Not spawnSync: the schedulers keep running while the other process folds.
    const child = spawn(
      process.execPath,
      [
        __filename,
        '--child',
        '--db',
        dbName,
        '--workspace',
        workspaceId,
        '--first-due',
        String(firstDue),
        '--contacts',
        String(CONTACTS),
        '--bystanders',
        String(BYSTANDERS),
        '--burst',
        String(BURST),
      ],
      { stdio: 'inherit', env: process.env },
    );
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (status !== 0) throw new Error('the ingesting child failed');
    const foldSeconds = (Date.now() - t) / 1000;
    if (Date.now() > firstDue - MAX_SLEEP_MS)
      console.warn(
        'folding took longer than estimated: the first due instants may be measured late',
      );
    const deadline = firstDue + SPREAD_MS + 60_000;
    while ((lags.length < CONTACTS || burstLags.length < BURST) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500));
    await Promise.all(schedulers.map((s) => s.stop()));

    const fmt = (ms: number) => `${Math.round(ms)} ms`;
    const row = (what: string, measured: number[], of: number) => {
      const sorted = [...measured].sort((a, b) => a - b);
      return `| ${what} | ${measured.length} of ${of} | ${fmt(percentile(sorted, 50))} | ${fmt(percentile(sorted, 99))} | ${fmt(sorted[sorted.length - 1] ?? NaN)} |`;
    };
    const section = [
      '## Flip lag (bench/flip-lag.ts)',
      '',
      `\`npm run bench -- fliplag\` (alone: \`npx tsc -p bench/tsconfig.json && node packages/dev-stack/dist/cli.js exec -- node bench/dist/flip-lag.js --contacts ${CONTACTS} --write\`)`,
      `${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'} shared with other engineers' builds and tests (load average ${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)} over the run), ${db.capabilities.adapter} ${db.capabilities.version}.`,
      `"No order in the last minute" runs out for ${CONTACTS} contacts at instants spread over ${SPREAD_MS / 1000} s, then for ${BURST} contacts at one instant, beside ${BYSTANDERS} contacts due a week later. Orders folded by another process (${foldSeconds.toFixed(1)} s), two due schedulers (max sleep ${MAX_SLEEP_MS / 1000} s) each on its own connection: ${evaluated} contact evaluations in ${sweeps} sweeps, ${bucketsRead} bucket pages read. Lag = membership change stored − the instant the window ran out.`,
      '',
      '| flips | measured | p50 | p99 | max |',
      '|---|---:|---:|---:|---:|',
      row('spread (about 5 per second)', lags, CONTACTS),
      row('burst (all at one instant)', burstLags, BURST),
      '',
      'Not due, not read: the bystanders sit in the bucket of their own day, which no sweep before it reads; a sweep evaluates only the entries whose instant has come. Both schedulers wake at the same instants, so each flip is evaluated by one and skipped (or rewritten with the same ids) by the other. A burst drains at the sweep rate (see _Segments_ for this machine), so more flips at one instant than it evaluates in a second land later than a second.',
      '',
    ].join('\n');
    console.log(section);
    if (WRITE) {
      const file = join(__dirname, '..', 'RESULTS.md');
      const current = readFileSync(file, 'utf8');
      const open = '<!-- bench:fliplag -->';
      const close = '<!-- /bench:fliplag -->';
      const block = `${open}\n${section.trim()}\n${close}`;
      const from = current.indexOf(open);
      const to = current.indexOf(close);
      const updated =
        from >= 0 && to > from
          ? current.slice(0, from) + block + current.slice(to + close.length)
          : current.replace('<!-- bench:segments -->', `${block}\n\n<!-- bench:segments -->`);
      writeFileSync(file, updated);
    }
  } finally {
    await db.connection.dropDatabase().catch(() => undefined);
    await other.close();
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
