// Segment evaluation benchmark on the embedded FerretDB (or any MONGO_URL):
//   backfill (contacts re-evaluated per second, all segments per contact) and sweep (due contacts per second),
//   each next to the raw rate of reading the same contacts by _id, the floor any evaluation pays.
//
//   npx tsc -p bench/tsconfig.json && node packages/dev-stack/dist/cli.js exec -- node bench/dist/segments.js [--contacts 3000] [--write]
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { emptyProfile, foldEvents, type FoldableEvent } from '@cairn/core';
import {
  backfillSegmentPage,
  connectDatabase,
  contactKey,
  contactModel,
  createSegment,
  createWorkspace,
  finishSegmentBackfill,
  storedProfileParts,
  sweepDueContacts,
  syncIndexes,
  writeActivities,
} from '@cairn/db';

const DAY = 86_400_000;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CONTACTS = arg('contacts', 3000);
const WRITE = process.argv.includes('--write');

async function forEachWithLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

async function main() {
  const url = process.env.MONGO_URL;
  if (!url)
    throw new Error(
      'MONGO_URL is not set: run through `node packages/dev-stack/dist/cli.js exec -- ...`',
    );
  const db = await connectDatabase(url, `bench_segments_${randomBytes(4).toString('hex')}`);
  try {
    await syncIndexes(db.connection);
    const workspaceId = (
      await createWorkspace(db.connection, {
        name: 'Bench',
        slug: `bench-${randomBytes(3).toString('hex')}`,
      })
    ).workspace._id;
    const now = Date.now();
    const loadBefore = loadavg()[0] ?? 0;

    // Contacts with 0–5 orders spread over the last 300 days, plus a few page views, stored as the fold
    // stores them (decision 032): the packed summary in the contact, the series in its activity document.
    const docs = [];
    const activities: Parameters<typeof writeActivities>[1] = [];
    for (let i = 0; i < CONTACTS; i++) {
      const contactId = `c${String(i).padStart(6, '0')}`;
      const events: FoldableEvent[] = [];
      for (let o = 0; o < i % 6; o++) {
        events.push({
          messageId: `${contactId}-o${o}`,
          type: 'track',
          event: 'Order Completed',
          properties: { revenue: 20 + (i % 50) },
          traits: {},
          timestamp: now - ((i * 7 + o * 37) % 300) * DAY,
        });
      }
      events.push({
        messageId: `${contactId}-v`,
        type: 'track',
        event: 'Product Viewed',
        properties: { category: i % 2 ? 'Outdoor' : 'Home' },
        traits: {},
        timestamp: now - (i % 90) * DAY,
      });
      const { summary, activityEvents } = storedProfileParts(
        foldEvents(emptyProfile(contactId), events),
      );
      activities.push({ workspaceId, contactId, foldRev: 1, events: activityEvents, first: true });
      docs.push({
        _id: contactKey(workspaceId, contactId),
        workspaceId,
        contactId,
        profile: summary,
        foldRev: 1,
        traits: {},
        rev: 0,
        segments: {},
        nextEvaluationAt: null,
      });
    }
    for (let i = 0; i < docs.length; i += 500)
      await contactModel(db.connection).insertMany(docs.slice(i, i + 500));
    for (let i = 0; i < activities.length; i += 500)
      await writeActivities(db.connection, activities.slice(i, i + 500));

    const segmentIds = ['repeat-buyers', 'lapsed', 'no-order-21d', 'outdoor-fans'];
    const definitions = [
      {
        type: 'all',
        conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 2 }],
      },
      {
        type: 'all',
        conditions: [
          { type: 'event', check: 'performed', event: 'Order Completed' },
          {
            type: 'event',
            check: 'notPerformed',
            event: 'Order Completed',
            window: { amount: 180, unit: 'days' },
          },
        ],
      },
      {
        type: 'all',
        conditions: [
          { type: 'event', check: 'performed', event: 'Order Completed' },
          {
            type: 'event',
            check: 'notPerformed',
            event: 'Order Completed',
            window: { amount: 21, unit: 'days' },
          },
        ],
      },
      {
        type: 'all',
        conditions: [
          {
            type: 'metric',
            metric: 'categoryAffinity',
            category: 'Outdoor',
            operator: 'gte',
            value: 0.4,
          },
        ],
      },
    ];
    for (let i = 0; i < segmentIds.length; i++)
      await createSegment(db.connection, workspaceId, {
        segmentId: segmentIds[i],
        name: segmentIds[i] as string,
        definition: definitions[i],
      });

    // Baseline: read every contact by _id with the same concurrency the backfill uses.
    const ids = docs.map((d) => d._id);
    let t = performance.now();
    await forEachWithLimit(ids, 8, async (id) => {
      await contactModel(db.connection)
        .findById(id, { profile: 1, segments: 1, rev: 1, nextEvaluationAt: 1 })
        .lean();
    });
    const readRate = CONTACTS / ((performance.now() - t) / 1000);

    // Backfill of the last segment: every contact, all four segments each, pages of 500.
    t = performance.now();
    let afterId: string | null = null;
    for (;;) {
      const r = await backfillSegmentPage(db.connection, {
        workspaceId,
        segmentId: 'outdoor-fans',
        version: 1,
        afterId,
        pageSize: 500,
        now,
      });
      afterId = r.lastId;
      if (r.done) break;
    }
    await finishSegmentBackfill(db.connection, {
      workspaceId,
      segmentId: 'outdoor-fans',
      version: 1,
      now,
    });
    const backfillRate = CONTACTS / ((performance.now() - t) / 1000);

    // Sweep a year later: every contact with a time window is due.
    t = performance.now();
    const sweep = await sweepDueContacts(db.connection, { now: now + 365 * DAY, workspaceId });
    const sweepSeconds = (performance.now() - t) / 1000;
    const sweepRate = sweep.contactsEvaluated / sweepSeconds;

    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const section = [
      '## Segments (bench/segments.ts)',
      '',
      `\`npm run bench -- segments\` (BENCH_SWEEP_CONTACTS=${CONTACTS}; alone: \`npx tsc -p bench/tsconfig.json && node packages/dev-stack/dist/cli.js exec -- node bench/dist/segments.js --contacts ${CONTACTS} --write\`)`,
      `${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'} shared with other engineers' builds and tests (load average ${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)} over the run), ${db.capabilities.adapter} ${db.capabilities.version}, N = ${CONTACTS} contacts, 4 segments (2 with time windows).`,
      `The sweep row is the time-window sweep a year later: every contact with a window is due, and each due contact is re-evaluated against all 4 segments and its changes written (membership, history, outbox trigger, due bucket, counts).`,
      '',
      '| measure | contacts re-evaluated/s | vs raw read |',
      '|---|---:|---:|',
      `| raw read by _id (baseline, 8 in flight) | ${fmt(readRate)} | 1.00 |`,
      `| backfill (all 4 segments per contact, writes included) | ${fmt(backfillRate)} | ${(backfillRate / readRate).toFixed(2)} |`,
      `| sweep (${fmt(sweep.contactsEvaluated)} due contacts, ${sweep.bucketsRead} buckets) | ${fmt(sweepRate)} | ${(sweepRate / readRate).toFixed(2)} |`,
      '',
    ].join('\n');
    console.log(section);
    if (WRITE) {
      // Same section markers as bench/lib.mjs writeSection, so neighbouring sections stay intact.
      const file = join(__dirname, '..', 'RESULTS.md');
      const current = readFileSync(file, 'utf8');
      const open = '<!-- bench:segments -->';
      const close = '<!-- /bench:segments -->';
      const block = `${open}\n${section.trim()}\n${close}`;
      const from = current.indexOf(open);
      const to = current.indexOf(close);
      const updated =
        from >= 0 && to > from
          ? current.slice(0, from) + block + current.slice(to + close.length)
          : `${current.trimEnd()}\n\n${block}\n`;
      writeFileSync(file, updated);
    }
  } finally {
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
