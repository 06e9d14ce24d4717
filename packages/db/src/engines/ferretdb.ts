// What FerretDB v1.24 does the same on both of its backends (decisions 008 and 010).
import type { EngineCapabilities, GuardedUpdate, WriteGuard, WriteOutcome } from './types.js';

/** dev-stack's build tags its version when it carries the atomic-update patch (decision 010). */
export function ferretAtomicUpdates(version: string): boolean {
  return version.includes('+cairn.atomic-updates');
}

/** Cairn's build that commits a bulk write's updates together and reads `_id` lists by index on SQLite. */
export function ferretBatchedWrites(version: string): boolean {
  return version.includes('+cairn.atomic-updates.pg-id.batched');
}

/** ... whose bulk writes also batch single-document upserts (decision 036). */
export function ferretBatchedUpserts(version: string): boolean {
  return version.includes('+cairn.atomic-updates.pg-id.batched.upserts');
}

export function ferretCapabilities(
  version: string,
  concurrentWrites: boolean,
  idListLookups: boolean,
): EngineCapabilities {
  const batched = ferretBatchedWrites(version);
  return {
    atomicUpdates: ferretAtomicUpdates(version),
    // Upstream: 40 updates per bulk is the largest size that never hung (100 statements hold the SQLite pool);
    // the batched build commits up to 200 in one transaction.
    maxBulkUpdates: batched ? 200 : 40,
    concurrentWrites,
    idListLookups,
    batchedUpdates: batched,
    batchedUpserts: ferretBatchedUpserts(version),
  };
}

const NOT_WRITTEN: WriteOutcome = { matchedCount: 0, modifiedCount: 0, upsertedCount: 0 };

function valueAt(doc: unknown, path: string): unknown {
  let node = doc;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function guardHolds(doc: unknown, guard: WriteGuard): boolean {
  return Object.entries(guard).every(([path, expected]) => {
    const actual = valueAt(doc, path);
    if (expected !== null && typeof expected === 'object' && '$exists' in expected)
      return (actual !== undefined) === Boolean((expected as { $exists: unknown }).$exists);
    return actual === expected;
  });
}

/**
 * Upstream FerretDB on SQLite pushes down only a filter that is a lone `_id` equality, so a guard in the
 * filter would read the whole collection on every update. There the guard is checked by an `_id` read
 * right before an `_id`-only write; callers hold withDocumentLocks around their read-modify-write, so
 * within a process nothing interleaves, and across processes the window is the few milliseconds between
 * that read and the write (decision 008).
 */
export async function updateByIdAfterGuardRead({
  model,
  _id,
  guard,
  update,
  options,
}: GuardedUpdate): Promise<WriteOutcome> {
  const projection = Object.fromEntries(Object.keys(guard).map((path) => [path, 1]));
  const current = await model.findById(_id, projection).lean();
  if (current === null || current === undefined) {
    if (!options.upsert || !guardHolds({}, guard)) return NOT_WRITTEN;
  } else if (!guardHolds(current, guard)) {
    return NOT_WRITTEN;
  }
  return model.updateOne({ _id }, update, options);
}

/** The guard in the filter: one statement, atomic wherever the engine's updates are. */
export function updateWithGuardInFilter({
  model,
  _id,
  guard,
  update,
  options,
}: GuardedUpdate): Promise<WriteOutcome> {
  return Promise.resolve(model.updateOne({ _id, ...guard }, update, options));
}
