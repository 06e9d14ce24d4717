#!/usr/bin/env node
import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { demoContacts, type DemoStoreOptions } from './contacts.js';
import { iterateDemoEvents } from './simulate.js';
import { DemoSummaryCounter, formatDemoSummary } from './store.js';

const USAGE = `cairn-demo: generate the demo coffee store (contacts and Segment events)

  cairn-demo [--seed S] [--contacts N] [--days D] [--now ISO]
             [--out events.ndjson] [--contacts-out contacts.json]
             [--post http://localhost:3000 --write-key KEY]

  --seed S            same seed and options give byte-identical output (default 42)
  --contacts N        how many contacts (default 3000)
  --days D            days of history before --now (default 365)
  --now ISO           end of the history (default: the current minute; printed so you can repeat the run)
  --out FILE          write the events as NDJSON, in timestamp order ('-' for stdout)
  --contacts-out FILE write the contacts (archetype, traits, habits) as JSON
  --post URL          send the events to URL/v1/batch with --write-key, in batches
  --write-key KEY     the workspace's write key (or CAIRN_WRITE_KEY)

Prints counts per event name and per archetype.`;

/** Under the API's /v1/batch limits (500 KB, 2500 events) with room to spare. */
const BATCH_BYTES = 400 * 1024;
const BATCH_EVENTS = 1000;

interface CliOptions {
  store: DemoStoreOptions;
  out?: string;
  contactsOut?: string;
  post?: string;
  writeKey?: string;
}

function parseArgs(argv: string[]): CliOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--help' || flag === '-h') throw new UsageError('');
    if (!flag.startsWith('--')) throw new UsageError(`unexpected argument ${flag}`);
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`${flag}: needs a value`);
    values.set(flag.slice(2), value);
    i += 1;
  }
  const known = ['seed', 'contacts', 'days', 'now', 'out', 'contacts-out', 'post', 'write-key'];
  for (const name of values.keys())
    if (!known.includes(name)) throw new UsageError(`--${name}: unknown option`);

  const wholeNumber = (name: string, fallback: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(`--${name}: must be a whole number, got ${raw}`);
    return n;
  };
  const nowRaw = values.get('now');
  const now = nowRaw === undefined ? Math.floor(Date.now() / 60_000) * 60_000 : Date.parse(nowRaw);
  if (!Number.isFinite(now))
    throw new UsageError(`--now: must be an ISO date such as 2025-06-15T12:00:00Z, got ${nowRaw}`);

  const options: CliOptions = {
    store: {
      seed: values.get('seed') ?? '42',
      contacts: wholeNumber('contacts', 3000),
      days: wholeNumber('days', 365),
      now,
    },
  };
  const out = values.get('out');
  if (out !== undefined) options.out = out;
  const contactsOut = values.get('contacts-out');
  if (contactsOut !== undefined) options.contactsOut = contactsOut;
  const post = values.get('post');
  if (post !== undefined) {
    options.post = post.replace(/\/+$/, '');
    const writeKey = values.get('write-key') ?? process.env.CAIRN_WRITE_KEY;
    if (!writeKey) throw new UsageError('--post: needs --write-key KEY (or CAIRN_WRITE_KEY)');
    options.writeKey = writeKey;
  }
  return options;
}

class UsageError extends Error {}

async function postBatch(url: string, writeKey: string, batch: string[]): Promise<void> {
  const response = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
    },
    body: `{"batch":[${batch.join(',')}]}`,
  });
  if (!response.ok)
    throw new Error(`POST ${url}/v1/batch answered ${response.status}: ${await response.text()}`);
}

function write(stream: WriteStream | NodeJS.WriteStream, line: string): Promise<void> | undefined {
  // Respect back-pressure so a million events do not pile up in memory.
  if (stream.write(line)) return undefined;
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}

async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) console.error(`cairn-demo: ${error.message}\n`);
    console.error(USAGE);
    return error.message ? 2 : 0;
  }
  const log = options.out === '-' ? console.error : console.log;
  const started = Date.now();
  const contacts = demoContacts(options.store);
  if (options.contactsOut)
    writeFileSync(options.contactsOut, `${JSON.stringify(contacts, null, 2)}\n`);

  const out =
    options.out === undefined
      ? undefined
      : options.out === '-'
        ? process.stdout
        : createWriteStream(options.out);
  let batch: string[] = [];
  let batchBytes = 0;
  let posted = 0;
  const flush = async () => {
    if (batch.length === 0 || !options.post || !options.writeKey) return;
    await postBatch(options.post, options.writeKey, batch);
    posted += batch.length;
    if (posted % 20_000 < batch.length) log(`posted ${posted} events`);
    batch = [];
    batchBytes = 0;
  };

  // One pass over the stream writes, posts and counts, so nothing holds the whole store in memory.
  const counter = new DemoSummaryCounter(contacts);
  for (const payload of iterateDemoEvents(options.store)) {
    counter.add(payload);
    const json = JSON.stringify(payload);
    if (out) await write(out, `${json}\n`);
    if (options.post) {
      if (batchBytes + json.length > BATCH_BYTES || batch.length >= BATCH_EVENTS) await flush();
      batch.push(json);
      batchBytes += json.length + 1;
    }
  }
  await flush();
  if (out && out !== process.stdout)
    await new Promise<void>((resolve) => (out as WriteStream).end(resolve));
  const summary = counter.summary();

  log(formatDemoSummary(summary));
  log(
    `\nseed ${options.store.seed}, now ${new Date(options.store.now as number).toISOString()}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (options.post) log(`posted ${posted} events to ${options.post}/v1/batch`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`cairn-demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
