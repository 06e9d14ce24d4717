// What a storage engine declares about itself; packages/db reads these, callers never name an engine.
// Only what some code asks is declared: an unread capability would be a claim nothing checks.

export type EngineName = 'mongodb' | 'ferretdb-sqlite' | 'ferretdb-postgresql';

export interface EngineCapabilities {
  /** Concurrent updates of one document all apply (`$inc` is exact); false means read-modify-write, last writer wins. */
  atomicUpdates: boolean;
  /** Most update statements Cairn sends in one bulk write (bigger ones hang FerretDB v1.24). */
  maxBulkUpdates: number;
  /** Writes to different documents run side by side (PostgreSQL, MongoDB); false: one writer at a time (SQLite). */
  concurrentWrites: boolean;
  /** `{ _id: { $in: [...] } }` is answered from the `_id` index (else it reads the whole collection). */
  idListLookups: boolean;
  /** The single-document updates of one bulk write commit together (else each commits on its own). */
  batchedUpdates: boolean;
  /** A bulk write's single-document upserts join that commit too (else each upsert is a statement on its own). */
  batchedUpserts: boolean;
}

/** A guard on a document read earlier: dotted path → the value it had, or `{ $exists: false }`. */
export type WriteGuard = Record<string, unknown>;

export interface WriteOutcome {
  matchedCount: number;
  modifiedCount: number;
  upsertedCount: number;
}

/** The part of a mongoose model a guarded update needs. */
export interface GuardedModel {
  updateOne(filter: object, update: object, options?: object): PromiseLike<WriteOutcome>;
  findById(id: string, projection?: object): { lean(): PromiseLike<unknown> };
}

export interface GuardedUpdate {
  model: GuardedModel;
  _id: string;
  guard: WriteGuard;
  update: object;
  options: { upsert?: boolean; timestamps?: boolean };
}

/** One engine's adapter: its capabilities and the behaviour that differs from the others. */
export interface StorageEngine {
  name: EngineName;
  /** Server version as it reports it (FerretDB's own version, not the MongoDB version it emulates). */
  version: string;
  capabilities: EngineCapabilities;
  /** Updates `_id` only if it still matches `guard` (optimistic concurrency); a failed guard answers matchedCount 0. */
  updateIfUnchanged(write: GuardedUpdate): Promise<WriteOutcome>;
  /** True for this engine's "busy, try again shortly" errors: an overload, neither an outage nor a bug. */
  isTransientError(error: StorageErrorShape): boolean;
}

export interface StorageErrorShape {
  name?: string;
  message?: string;
  code?: unknown;
  errorLabels?: unknown;
}
