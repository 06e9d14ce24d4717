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
	cl := atomicUpdates.collection(db, collection)

	id, pinned := pinnedID(filter)
	if !pinned {
		cl.Lock()

		return cl.Unlock
	}

	cl.RLock()
	unlockDoc := atomicUpdates.lockDocument(db, collection, id, true)

	return func() {
		unlockDoc()
		cl.RUnlock()
	}
}

// collection returns the lock of one collection.
func (l *updateLocks) collection(db, collection string) *sync.RWMutex {
	collKey := db + "\x00" + collection

	l.mu.Lock()
	defer l.mu.Unlock()

	cl := l.colls[collKey]
	if cl == nil {
		cl = new(sync.RWMutex)
		l.colls[collKey] = cl
	}

	return cl
}

// lockDocument takes one document's lock (the caller holds its collection's lock shared) and returns the unlock.
// Without wait, it returns nil instead of waiting when another update holds the document.
func (l *updateLocks) lockDocument(db, collection, id string, wait bool) func() {
	docKey := db + "\x00" + collection + "\x00" + id

	l.mu.Lock()
	dl := l.docs[docKey]
	if dl == nil {
		dl = new(documentLock)
		l.docs[docKey] = dl
	}
	dl.holders++
	l.mu.Unlock()

	release := func() {
		l.mu.Lock()
		dl.holders--
		if dl.holders == 0 {
			delete(l.docs, docKey)
		}
		l.mu.Unlock()
	}

	if wait {
		dl.Lock()
	} else if !dl.TryLock() {
		release()

		return nil
	}

	return func() {
		dl.Unlock()
		release()
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

// updateBatch holds the writes of consecutive single-document statements of one `update` command, so they commit
// in one backend transaction instead of one transaction each (a bulk write of 200 guarded updates: one commit).
// It holds its collection's lock shared and each pending document's lock until it writes. While it holds locks it
// never waits for another: a document another update holds makes it write what it has first, so two batches can
// not wait for each other.
type updateBatch struct {
	db, collection string
	c              backends.Collection
	docs           []*types.Document
	ids            map[string]bool
	unlocks        []func()
	collLocked     *sync.RWMutex
}

// maxBatchedDocuments bounds one transaction (and the document locks held for it).
const maxBatchedDocuments = 200

func newUpdateBatch(db, collection string) *updateBatch {
	return &updateBatch{db: db, collection: collection, ids: map[string]bool{}}
}

// release drops every lock the batch holds, writing nothing.
func (b *updateBatch) release() {
	for i := len(b.unlocks) - 1; i >= 0; i-- {
		b.unlocks[i]()
	}

	b.unlocks = nil
	b.docs = nil
	b.ids = map[string]bool{}

	if b.collLocked != nil {
		b.collLocked.RUnlock()
		b.collLocked = nil
	}
}

// flush writes the pending documents in one transaction, then releases the batch's locks.
func (b *updateBatch) flush(ctx context.Context) error {
	defer b.release()

	if len(b.docs) == 0 {
		return nil
	}

	if _, err := b.c.UpdateAll(ctx, &backends.UpdateAllParams{Docs: b.docs}); err != nil {
		return lazyerrors.Error(err)
	}

	return nil
}

// lock takes the document's lock for the batch, writing the batch first if another update holds it.
func (b *updateBatch) lock(ctx context.Context, id string) error {
	if b.collLocked == nil {
		b.collLocked = atomicUpdates.collection(b.db, b.collection)
		b.collLocked.RLock()
		b.unlocks = append(b.unlocks, atomicUpdates.lockDocument(b.db, b.collection, id, true))

		return nil
	}

	if unlock := atomicUpdates.lockDocument(b.db, b.collection, id, false); unlock != nil {
		b.unlocks = append(b.unlocks, unlock)

		return nil
	}

	if err := b.flush(ctx); err != nil {
		return err
	}

	return b.lock(ctx, id)
}

// pendingWrites is the collection the batched statements see: their writes join the batch instead of committing.
type pendingWrites struct {
	backends.Collection
	b *updateBatch
}

// UpdateAll implements backends.Collection interface.
func (p pendingWrites) UpdateAll(_ context.Context, params *backends.UpdateAllParams) (*backends.UpdateAllResult, error) { //nolint:lll // for readability
	p.b.docs = append(p.b.docs, params.Docs...)

	return &backends.UpdateAllResult{Updated: int32(len(params.Docs))}, nil
}

// updateStatement runs one statement of an `update` command under its lock.
//
// It also closes the statement's cursor when the statement ends: upstream deferred every cursor to the end of
// the command, so a bulk write of ~100 updates held all 100 connections of the SQLite pool and then waited
// forever for one more. A single-document statement reads its document before writing, so its write never
// waits for a connection while its own read holds one. A statement that pins one `_id` and updates one document
// joins the command's batch; any other writes the batch first, then runs alone. An upsert joins it too: when its
// document exists it is an update like the others, and when not, its insert commits at once (inserts never pass
// through the batch), under the document's lock that the batch holds until it writes.
func (h *Handler) updateStatement(ctx context.Context, c backends.Collection, params *common.UpdateParams, u *common.Update, b *updateBatch) (*common.UpdateResult, error) { //nolint:lll // for readability
	id, pinned := pinnedID(u.Filter)
	if !pinned || u.Multi {
		if err := b.flush(ctx); err != nil {
			return nil, err
		}

		unlock := lockForUpdate(params.DB, params.Collection, u.Filter)
		defer unlock()

		return h.runStatement(ctx, c, u)
	}

	if b.ids[id] {
		// The same document twice: the second statement must read what the first wrote.
		if err := b.flush(ctx); err != nil {
			return nil, err
		}
	}

	if err := b.lock(ctx, id); err != nil {
		return nil, err
	}

	b.c = c
	b.ids[id] = true

	result, err := h.runStatement(ctx, pendingWrites{Collection: c, b: b}, u)
	if err != nil {
		// Statements before this one stay applied, as when each committed on its own.
		if ferr := b.flush(ctx); ferr != nil {
			return nil, ferr
		}

		return nil, err
	}

	if len(b.docs) >= maxBatchedDocuments {
		if err := b.flush(ctx); err != nil {
			return nil, err
		}
	}

	return result, nil
}

// runStatement queries the statement's documents and applies its update through c.
func (h *Handler) runStatement(ctx context.Context, c backends.Collection, u *common.Update) (*common.UpdateResult, error) { //nolint:lll // for readability
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
