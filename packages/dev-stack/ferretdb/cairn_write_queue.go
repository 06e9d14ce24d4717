// Added to FerretDB's internal/util/fsql by Cairn's dev-stack (packages/dev-stack/src/ferretdb-patches.ts, docs/decisions/036).
//
// SQLite lets one connection write at a time. Upstream lets every connection of the pool try, and a loser
// waits in SQLite's busy handler, which sleeps 1, 2, 5, 10 ... up to 100 ms between tries: under steady
// writes from several clients a short statement waited tens of milliseconds for a lock that was free most of
// that time. Writers of one database take turns on a mutex here instead, so the next one starts the moment
// the last one commits. Readers are not queued: in WAL mode they never wait for a writer.

package fsql

import "sync"

// writers holds one mutex per *sql.DB (one SQLite database file).
var writers sync.Map

// writeTurn blocks until no other writer of this database runs, and returns the end of the turn.
func (db *DB) writeTurn() func() {
	m, _ := writers.LoadOrStore(db.sqlDB, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()

	return mu.Unlock
}
