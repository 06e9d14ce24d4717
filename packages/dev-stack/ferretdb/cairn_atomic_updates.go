// Added to FerretDB's internal/handler by Cairn's dev-stack (packages/dev-stack/src/binaries.ts, docs/decisions/010).
//
// FerretDB v1.24 applies an update as query, apply the operators in Go, write by _id: two concurrent updates of
// one document both read the old version and the later write silently wins (8 clients x 500 $inc ended near 600).
// Every update, findAndModify and update statement of a bulk write goes through lockForUpdate, so the
// read-modify-write of one document is serialised inside the server, the way MongoDB applies it atomically.

package handler

import (
	"context"
	"sync"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/handler/common"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// updateLocks holds one RWMutex per collection and one mutex per document being updated.
// An update whose filter pins one _id takes the collection lock shared and that document's lock;
// any other update takes the collection lock exclusively, since it may modify any document.
type updateLocks struct {
	mu    sync.Mutex
	colls map[string]*sync.RWMutex
	docs  map[string]*documentLock
}

type documentLock struct {
	sync.Mutex
	holders int // goroutines holding or waiting for it; the entry is dropped at zero
}

var atomicUpdates = &updateLocks{
	colls: map[string]*sync.RWMutex{},
	docs:  map[string]*documentLock{},
}

// lockForUpdate blocks until no other update can modify what this filter matches, and returns the unlock.
func lockForUpdate(db, collection string, filter *types.Document) func() {
	l := atomicUpdates
	collKey := db + "\x00" + collection

	l.mu.Lock()
	cl := l.colls[collKey]
	if cl == nil {
		cl = new(sync.RWMutex)
		l.colls[collKey] = cl
	}

	id, pinned := pinnedID(filter)
	if !pinned {
		l.mu.Unlock()
		cl.Lock()

		return cl.Unlock
	}

	docKey := collKey + "\x00" + id
	dl := l.docs[docKey]
	if dl == nil {
		dl = new(documentLock)
		l.docs[docKey] = dl
	}
	dl.holders++
	l.mu.Unlock()

	cl.RLock()
	dl.Lock()

	return func() {
		dl.Unlock()
		cl.RUnlock()

		l.mu.Lock()
		dl.holders--
		if dl.holders == 0 {
			delete(l.docs, docKey)
		}
		l.mu.Unlock()
	}
}

// pinnedID returns a key for the _id that the filter requires, if it requires one string or ObjectID
// (other _id types compare across numeric types, so they take the collection lock instead).
func pinnedID(filter *types.Document) (string, bool) {
	if filter.Len() == 0 || !filter.Has("_id") {
		return "", false
	}

	if _, dup := filter.FindDuplicateKey(); dup {
		return "", false
	}

	v, err := filter.Get("_id")
	if err != nil {
		return "", false
	}

	if d, ok := v.(*types.Document); ok {
		if d.Len() != 1 {
			return "", false
		}

		if v, err = d.Get("$eq"); err != nil {
			return "", false
		}
	}

	switch id := v.(type) {
	case string:
		return "s" + id, true
	case types.ObjectID:
		return "o" + string(id[:]), true
	default:
		return "", false
	}
}

// updateStatement runs one statement of an `update` command under its lock.
//
// It also closes the statement's cursor when the statement ends: upstream deferred every cursor to the end of
// the command, so a bulk write of ~100 updates held all 100 connections of the SQLite pool and then waited
// forever for one more. A single-document statement reads its document before writing, so its write never
// waits for a connection while its own read holds one.
func (h *Handler) updateStatement(ctx context.Context, c backends.Collection, params *common.UpdateParams, u *common.Update) (*common.UpdateResult, error) { //nolint:lll // for readability
	unlock := lockForUpdate(params.DB, params.Collection, u.Filter)
	defer unlock()

	var qp backends.QueryParams
	if !h.DisablePushdown {
		qp.Filter = u.Filter
	}

	res, err := c.Query(ctx, &qp)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	queryCloser := iterator.NewMultiCloser(res.Iter)
	iter := common.FilterIterator(res.Iter, queryCloser, u.Filter)

	if u.Multi {
		defer queryCloser.Close()
	} else {
		docs, err := iterator.ConsumeValuesN(iter, 1)
		queryCloser.Close()

		if err != nil {
			return nil, lazyerrors.Error(err)
		}

		iter = iterator.Values(iterator.ForSlice(docs))
		defer iter.Close()
	}

	result, err := common.UpdateDocument(ctx, c, "update", iter, u)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return result, nil
}
