// Reads and writes of many documents by `_id`: the shape every hot path of Cairn takes (decisions 008, 020).
import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { duplicateIndexes, engineOf, updateIfUnchanged, upsertRacing } from './connection.js';
import type { WriteGuard } from './engines/index.js';
import { forEachWithLimit, mapWithLimit } from './segments/limit.js';

/** Ids per `$in` query: well under the 1,000 the FerretDB build pushes down to SQLite. */
const IDS_PER_QUERY = 500;
/** Lookups in flight where each id is its own query: the connection pool is shared with every request. */
const LOOKUPS_IN_FLIGHT = 16;

/**
 * The documents with these ids, in the order asked (null where none). One `$in` query per 500 ids where
 * the engine answers `$in` from the `_id` index; else one `_id` lookup each, 16 in flight.
 */
export async function findByIds<T>(
  connection: Connection,
  model: Model<T>,
  ids: readonly string[],
  projection?: Record<string, 0 | 1>,
): Promise<(T | null)[]> {
  if (ids.length === 0) return [];
  if (!engineOf(connection)?.capabilities.idListLookups)
    return mapWithLimit(
      ids,
      LOOKUPS_IN_FLIGHT,
      async (id) => (await model.findById(id, projection).lean()) as T | null,
    );
  const byId = new Map<string, T>();
  const distinct = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let i = 0; i < distinct.length; i += IDS_PER_QUERY)
    chunks.push(distinct.slice(i, i + IDS_PER_QUERY));
  await forEachWithLimit(chunks, 2, async (chunk) => {
    const docs = (await model.find({ _id: { $in: chunk } }, projection).lean()) as (T & {
      _id: unknown;
    })[];
    for (const doc of docs) byId.set(String(doc._id), doc);
  });
  return ids.map((id) => byId.get(id) ?? null);
}

/** One update by `_id`; with a guard, applied only if the document still matches it. */
export interface WriteById {
  _id: string;
  update: { $set?: Record<string, unknown>; [operator: string]: unknown };
  guard?: WriteGuard;
}

/**
 * Applies updates by `_id` (no upserts) and says which applied. Where the engine commits a bulk write's
 * updates together, one bulk per `maxBulkUpdates` (the guards in the filters); elsewhere one update each, 8
 * in flight. A bulk answers only how many matched, so when some did not: guarded writes are recognised by a
 * token the bulk set (`tokenField`, which the model's schema must declare); an unguarded one is reported
 * unapplied when its document is missing on a read-back, so callers whose writes must not apply twice
 * create their documents first.
 */
export async function updateByIds(
  connection: Connection,
  model: Model<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any collection's documents
  writes: readonly WriteById[],
  options: { tokenField?: string } = {},
): Promise<boolean[]> {
  const applied = new Array<boolean>(writes.length).fill(false);
  const capabilities = engineOf(connection)?.capabilities;
  if (!capabilities?.batchedUpdates || !capabilities.atomicUpdates) {
    await forEachWithLimit(writes, 8, async (write, i) => {
      const outcome = await updateIfUnchanged(
        connection,
        model,
        write._id,
        write.guard ?? {},
        write.update,
      );
      applied[i] = outcome.matchedCount === 1;
    });
    return applied;
  }
  const tokenField = options.tokenField ?? 'writeToken';
  for (let start = 0; start < writes.length; start += capabilities.maxBulkUpdates) {
    const chunk = writes.slice(start, start + capabilities.maxBulkUpdates);
    const token = randomUUID();
    const guarded = chunk.some((w) => w.guard && Object.keys(w.guard).length > 0);
    const result = await model.bulkWrite(
      chunk.map((w) => ({
        updateOne: {
          filter: { _id: w._id, ...(w.guard ?? {}) },
          update: guarded
            ? { ...w.update, $set: { ...w.update.$set, [tokenField]: token } }
            : w.update,
        },
      })),
      { ordered: true },
    );
    if (result.matchedCount === chunk.length) {
      chunk.forEach((_, i) => (applied[start + i] = true));
      continue;
    }
    if (!guarded) {
      // Unguarded writes miss only documents that are not there; find which.
      const docs = await findByIds(
        connection,
        model,
        chunk.map((w) => w._id),
        { _id: 1 },
      );
      docs.forEach((doc, i) => (applied[start + i] = doc !== null));
      continue;
    }
    const docs = (await findByIds(
      connection,
      model,
      chunk.map((w) => w._id),
      {
        [tokenField]: 1,
      },
    )) as (Record<string, unknown> | null)[];
    docs.forEach((doc, i) => (applied[start + i] = doc?.[tokenField] === token));
  }
  return applied;
}

/** One upsert by `_id`: an update of the document, which creates it when it is not there. */
export interface UpsertById {
  _id: string;
  update: Record<string, unknown>;
}

/**
 * Applies upserts by `_id`, each to a different document. Where the engine commits a bulk write's upserts
 * together, one unordered bulk per `maxBulkUpdates`; an upsert that lost the race to create its document
 * to another writer (a duplicate key) runs again alone and finds it. Elsewhere one upsert each, 4 in flight.
 */
export async function upsertByIds(
  connection: Connection,
  model: Model<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any collection's documents
  writes: readonly UpsertById[],
): Promise<void> {
  const alone = async (w: UpsertById) => {
    await upsertRacing(() => model.updateOne({ _id: w._id }, w.update, { upsert: true }));
  };
  const capabilities = engineOf(connection)?.capabilities;
  if (!capabilities?.batchedUpserts || !capabilities.atomicUpdates) {
    await forEachWithLimit(writes, 4, alone);
    return;
  }
  for (let start = 0; start < writes.length; start += capabilities.maxBulkUpdates) {
    const chunk = writes.slice(start, start + capabilities.maxBulkUpdates);
    try {
      await model.bulkWrite(
        chunk.map((w) => ({
          updateOne: { filter: { _id: w._id }, update: w.update, upsert: true },
        })),
        { ordered: false },
      );
    } catch (error) {
      const lost = duplicateIndexes(error);
      if (!lost) throw error;
      for (const i of lost) await alone(chunk[i] as UpsertById);
    }
  }
}

/** Deletes documents by `_id`: one `deleteMany` per 500 where the engine serves `$in` from the index, else one by one. */
export async function deleteByIds(
  connection: Connection,
  model: Model<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any collection's documents
  ids: readonly string[],
): Promise<void> {
  if (!engineOf(connection)?.capabilities.idListLookups) {
    await forEachWithLimit(ids, 8, async (_id) => {
      await model.deleteOne({ _id });
    });
    return;
  }
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY)
    await model.deleteMany({ _id: { $in: ids.slice(i, i + IDS_PER_QUERY) } });
}
