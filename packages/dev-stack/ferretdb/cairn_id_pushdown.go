// Added to FerretDB's internal/backends/sqlite by Cairn's dev-stack (packages/dev-stack/src/binaries.ts, docs/decisions/010).

package sqlite

import "github.com/FerretDB/FerretDB/internal/types"

// idFilterValue returns the `_id` value a filter requires, whatever other fields it also holds.
//
// Upstream looks a document up by `_id` only when `_id` is the filter's one field, so a guarded update such as
// `{ _id, rev }` read the whole table. Every caller filters the rows again in Go, so narrowing to the `_id`
// first changes no answer.
func idFilterValue(filter *types.Document) (any, bool) {
	if filter.Len() == 0 || !filter.Has("_id") {
		return nil, false
	}

	if _, dup := filter.FindDuplicateKey(); dup {
		return nil, false
	}

	v, err := filter.Get("_id")

	return v, err == nil
}
