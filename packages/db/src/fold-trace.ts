/** Opt-in timing of the fold's stages (CAIRN_FOLD_TRACE=1): totals per stage printed to stderr every 5 s. */
import type { Connection } from 'mongoose';

const enabled = process.env.CAIRN_FOLD_TRACE === '1';
export const foldTraceEnabled = enabled;
const totals = new Map<string, { ms: number; calls: number; items: number }>();
let timer: NodeJS.Timeout | undefined;

function print(): void {
  const rows = [...totals].map(([k, v]) => `${k}=${Math.round(v.ms)}ms/${v.calls}c/${v.items}i`);
  process.stderr.write(`[fold-trace] ${rows.join(' ')}\n`);
}

export async function traced<T>(stage: string, items: number, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    const t = totals.get(stage) ?? { ms: 0, calls: 0, items: 0 };
    t.ms += performance.now() - started;
    t.calls++;
    t.items += items;
    totals.set(stage, t);
    if (!timer) {
      timer = setInterval(print, 5_000).unref();
      // The last totals too, for a run shorter than the interval.
      process.once('exit', print);
    }
  }
}

/** Reads in flight, by request id: their answers are counted under the collection they read. */
const readers = new Map<number, string>();

/** With the trace on, every command the client sends is counted too, by command and collection (`cmd:update:contacts`). */
export function traceCommands(client: ReturnType<Connection['getClient']>): void {
  client.on('commandStarted', (event) => {
    const target = (event.command as Record<string, unknown>)[event.commandName];
    // A find also names its filter's fields: one that no index serves scans the collection (decision 008).
    const filter =
      event.commandName === 'find' ? (event.command.filter as object | undefined) : undefined;
    const fields = filter ? `{${Object.keys(filter).join(',')}}` : '';
    const stage = `cmd:${event.commandName}${typeof target === 'string' ? `:${target}` : ''}${fields}`;
    const items =
      (event.command.documents as unknown[] | undefined)?.length ??
      (event.command.updates as unknown[] | undefined)?.length ??
      (event.command.deletes as unknown[] | undefined)?.length ??
      1;
    const t = totals.get(stage) ?? { ms: 0, calls: 0, items: 0 };
    t.calls++;
    t.items += items;
    totals.set(stage, t);
    if (event.commandName === 'find' || event.commandName === 'getMore')
      readers.set(
        event.requestId,
        typeof target === 'string' ? target : String(event.command.collection),
      );
  });
  // What reads cost the engine is mostly the documents it decodes: counted per collection (`read:contacts`).
  client.on('commandSucceeded', (event) => {
    const collection = readers.get(event.requestId);
    if (collection === undefined) return;
    readers.delete(event.requestId);
    const cursor = (event.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } })
      .cursor;
    const docs = cursor?.firstBatch?.length ?? cursor?.nextBatch?.length ?? 0;
    const t = totals.get(`read:${collection}`) ?? { ms: 0, calls: 0, items: 0 };
    t.calls++;
    t.items += docs;
    t.ms += event.duration;
    totals.set(`read:${collection}`, t);
  });
  client.on('commandFailed', (event) => readers.delete(event.requestId));
}
