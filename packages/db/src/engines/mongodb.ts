// MongoDB: the guard joins the filter (atomic, served by the `_id` index); nothing to work around.
import type { StorageEngine } from './types.js';

export function mongodbEngine(info: { version: string }): StorageEngine {
  return {
    name: 'mongodb',
    version: info.version,
    capabilities: {
      atomicUpdates: true,
      maxBulkUpdates: 1000,
      concurrentWrites: true,
      idListLookups: true,
      batchedUpdates: true,
      batchedUpserts: true,
    },
    updateIfUnchanged: ({ model, _id, guard, update, options }) =>
      Promise.resolve(model.updateOne({ _id, ...guard }, update, options)),
    // A write conflict is retried by the driver; one that surfaces is worth a retry by the caller too.
    isTransientError: (error) =>
      error.code === 112 ||
      (Array.isArray(error.errorLabels) && error.errorLabels.includes('TransientTransactionError')),
  };
}
