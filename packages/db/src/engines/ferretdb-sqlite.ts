// FerretDB v1.24 on SQLite, as dev-stack builds it (the `_id` index patch: lookups by `_id` are index searches).
import {
  ferretAtomicUpdates,
  ferretBatchedWrites,
  ferretCapabilities,
  updateByIdAfterGuardRead,
  updateWithGuardInFilter,
} from './ferretdb.js';
import type { StorageEngine } from './types.js';

export function ferretdbSqliteEngine(version: string): StorageEngine {
  return {
    name: 'ferretdb-sqlite',
    version,
    capabilities: ferretCapabilities(version, false, ferretBatchedWrites(version)),
    // The patched build (decision 010) locks each document's update and looks `{ _id, ...guard }` up by `_id`.
    updateIfUnchanged: ferretAtomicUpdates(version)
      ? updateWithGuardInFilter
      : updateByIdAfterGuardRead,
    // One writer at a time: a write that waited past the busy timeout comes back as an InternalError.
    isTransientError: (error) => /SQLITE_BUSY|database is locked/.test(error.message ?? ''),
  };
}
