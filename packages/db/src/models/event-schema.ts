import { Schema, type Connection, type Model } from 'mongoose';
import type { CairnEvent } from '@cairn/core';
import { encodeDocumentKeys } from '../keys.js';
import { insertNew, upsertRacing } from '../connection.js';
import { createBatchCoalescer, type Coalescer } from '../coalesce.js';
import { updateByIds } from '../by-id.js';

/** What events a workspace sends and their property types: feeds the designer's pickers. */
export interface EventSchemaDoc {
  _id: string; // `${workspaceId}:${event}`
  workspaceId: string;
  event: string;
  count: number;
  lastSeenAt: number;
  properties: Record<string, string>;
}

export const eventSchemaSchema = new Schema<EventSchemaDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    event: { type: String, required: true },
    count: { type: Number, default: 0 },
    lastSeenAt: { type: Number, default: 0 },
    properties: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

export function eventSchemaModel(connection: Connection): Model<EventSchemaDoc> {
  return (
    (connection.models.EventSchema as Model<EventSchemaDoc> | undefined) ??
    connection.model<EventSchemaDoc>('EventSchema', eventSchemaSchema, 'event_schemas')
  );
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (
    typeof value === 'string' &&
    !Number.isNaN(Date.parse(value)) &&
    /^\d{4}-\d{2}-\d{2}/.test(value)
  )
    return 'date';
  return typeof value;
}

/**
 * Records event names and top-level property types seen in a batch (one upsert per distinct name, shared with
 * concurrent requests naming it). Counts stay exact with any number of API processes because `$inc` is atomic
 * on every engine Cairn runs: MongoDB, and FerretDB as dev-stack builds it (decision 010);
 * `capabilities.atomicUpdates` says which.
 */
export async function recordEventSchemas(
  connection: Connection,
  workspaceId: string,
  events: CairnEvent[],
): Promise<void> {
  const byName = new Map<string, SchemaDelta>();
  for (const e of events) {
    // No prototype: a property named `toString` or `constructor` is recorded like any other.
    const entry = byName.get(e.event) ?? {
      count: 0,
      lastSeenAt: 0,
      properties: Object.create(null) as Record<string, string>,
    };
    entry.count += 1;
    entry.lastSeenAt = Math.max(entry.lastSeenAt, e.timestamp);
    for (const [name, value] of Object.entries(
      e.type === 'identify' ? e.traits : e.properties,
    ).slice(0, 50)) {
      entry.properties[name] ??= typeOf(value);
    }
    byName.set(e.event, entry);
  }
  const coalescer = coalescerOf(connection);
  await Promise.all(
    [...byName].map(([event, delta]) =>
      coalescer.apply(JSON.stringify([workspaceId, event]), delta),
    ),
  );
}

interface SchemaDelta {
  count: number;
  lastSeenAt: number;
  properties: Record<string, string>;
}

const coalescers = new WeakMap<Connection, Coalescer<SchemaDelta>>();
/** Catalog entries this process knows exist: their counts go in one bulk write, without upserts. */
const known = new WeakMap<Connection, Set<string>>();

/**
 * Concurrent requests share catalog writes (see coalesce.ts): all the event names pending at once go in one
 * bulk write. `$inc` must apply exactly once, so an entry is created (empty) before it is counted, never
 * upserted by the count itself: a bulk's answer cannot say which of its updates found no document.
 */
function coalescerOf(connection: Connection): Coalescer<SchemaDelta> {
  let coalescer = coalescers.get(connection);
  if (!coalescer) {
    const Schemas = eventSchemaModel(connection);
    const existing = known.get(connection) ?? new Set<string>();
    known.set(connection, existing);
    coalescer = createBatchCoalescer<SchemaDelta>(
      (into, next) => {
        into.count += next.count;
        into.lastSeenAt = Math.max(into.lastSeenAt, next.lastSeenAt);
        for (const [name, type] of Object.entries(next.properties)) into.properties[name] ??= type;
      },
      async (deltas) => {
        const writes = [...deltas].map(([key, entry]) => {
          const [workspaceId, event] = JSON.parse(key) as [string, string];
          const set: Record<string, unknown> = { workspaceId, event };
          // FerretDB refuses update paths with a blank segment or one ending in whitespace; such names are left out of the pickers.
          for (const [name, type] of Object.entries(encodeDocumentKeys(entry.properties)))
            if (name !== '' && name.trim() === name) set[`properties.${name}`] = type;
          return {
            _id: `${workspaceId}:${event}`,
            empty: { _id: `${workspaceId}:${event}`, workspaceId, event, count: 0, lastSeenAt: 0 },
            update: {
              $set: set,
              $inc: { count: entry.count },
              $max: { lastSeenAt: entry.lastSeenAt },
            },
          };
        });
        const fresh = writes.filter((w) => !existing.has(w._id));
        // Another process may create the same entry first: a duplicate is as good as an insert here.
        if (fresh.length)
          await insertNew(
            (docs) => Schemas.insertMany(docs, { ordered: false }),
            fresh.map((w) => w.empty),
          );
        for (const w of fresh) existing.add(w._id);
        const applied = await updateByIds(connection, Schemas, writes);
        // Missing after all (the workspace's catalog was erased meanwhile): counted alone, created if need be.
        for (const [i, w] of writes.entries()) {
          if (applied[i]) continue;
          existing.delete(w._id);
          await upsertRacing(() => Schemas.updateOne({ _id: w._id }, w.update, { upsert: true }));
        }
      },
    );
    coalescers.set(connection, coalescer);
  }
  return coalescer;
}
