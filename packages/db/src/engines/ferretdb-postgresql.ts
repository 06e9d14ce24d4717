// FerretDB v1.24 on PostgreSQL: upstream filters with `_jsonb->$1 @> $2`, which no index serves, so even an
// `_id` lookup is a sequential scan; Cairn's build looks `_id` up by equality, which the `_id` index serves.
// Other filters still scan: keep hot reads keyed by `_id`.
import { ferretCapabilities, updateWithGuardInFilter } from './ferretdb.js';
import type { StorageEngine } from './types.js';

/** SQLSTATEs that mean "try again": serialization failure, deadlock, too many connections, lock timeout. */
const TRANSIENT_SQLSTATES = /SQLSTATE (40001|40P01|53300|55P03)/;

export function ferretdbPostgresqlEngine(version: string): StorageEngine {
  return {
    name: 'ferretdb-postgresql',
    version,
    capabilities: ferretCapabilities(
      version,
      true,
      // Its `$in` is still a containment test no index serves.
      false,
    ),
    // The guard goes in the filter beside `_id`: one statement, serialised per document by the patched handler.
    updateIfUnchanged: updateWithGuardInFilter,
    // FerretDB passes PostgreSQL's error text on (pgx writes "... (SQLSTATE 40P01)") inside an InternalError.
    isTransientError: (error) => TRANSIENT_SQLSTATES.test(error.message ?? ''),
  };
}
