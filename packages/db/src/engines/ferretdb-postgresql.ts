// FerretDB v1.24 on PostgreSQL: it filters with `_jsonb->$1 @> $2`, which no index serves, so even an
// `_id` lookup is a sequential scan (issue 15's measurements); keep hot reads few and keyed by `_id`.
import { ferretCapabilities, updateWithGuardInFilter } from './ferretdb.js';
import type { StorageEngine } from './types.js';

/** SQLSTATEs that mean "try again": serialization failure, deadlock, too many connections, lock timeout. */
const TRANSIENT_SQLSTATES = /SQLSTATE (40001|40P01|53300|55P03)/;

export function ferretdbPostgresqlEngine(version: string): StorageEngine {
  return {
    name: 'ferretdb-postgresql',
    version,
    capabilities: ferretCapabilities(version, 'none'),
    // No index serves `_id` here either, so reading the guard first would add a second scan and close no race.
    updateIfUnchanged: updateWithGuardInFilter,
    // FerretDB passes PostgreSQL's error text on (pgx writes "... (SQLSTATE 40P01)") inside an InternalError.
    isTransientError: (error) => TRANSIENT_SQLSTATES.test(error.message ?? ''),
  };
}
