// Added to FerretDB's internal/backends/sqlite by Cairn's dev-stack (packages/dev-stack/src/binaries.ts, docs/decisions/010).

package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

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

// idInClause reads `{_id: {$in: [...]}}` through the `_id` index when every listed id is a string or ObjectID
// (upstream read the whole table). It returns no clause for any other condition, which then reads every row.
func idInClause(cond *types.Document) (string, []any) {
	if cond.Len() != 1 {
		return "", nil
	}

	v, err := cond.Get("$in")
	if err != nil {
		return "", nil
	}

	ids, ok := v.(*types.Array)
	if !ok || ids.Len() == 0 || ids.Len() > maxPushedDownIDs {
		return "", nil
	}

	args := make([]any, 0, ids.Len())

	for i := 0; i < ids.Len(); i++ {
		id := must.NotFail(ids.Get(i))

		switch id.(type) {
		case string, types.ObjectID:
			args = append(args, string(must.NotFail(sjson.MarshalSingleValue(id))))
		default:
			return "", nil
		}
	}

	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")

	return fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, marks), args
}

// maxPushedDownIDs keeps one statement well under SQLite's limit on bound parameters.
const maxPushedDownIDs = 1000
