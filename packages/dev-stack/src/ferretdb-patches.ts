// Cairn's patches to FerretDB v1.24's source, applied before `go build` (decisions 008, 010, 027). Each fails
// naming itself when the source no longer holds what it replaces, so a version bump cannot build unpatched.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MissingBinaryError } from './missing-binary.js';

/**
 * FerretDB v1.24's SQLite backend indexes `_id` as `_ferretdb_sjson->"_id"` but looks documents up with
 * `_ferretdb_sjson->'$._id'`. SQLite uses an expression index only for the same expression, so every
 * `_id` lookup, update and delete parsed the JSON of every row (decision 008). Writing the lookup the way
 * the index is written makes them index searches: about 10x the ingest rate at 100 contacts, and the gap
 * grows with the collection.
 */
export function patchIdLookups(source: string): void {
  const file = join(source, 'internal', 'backends', 'sqlite', 'metadata', 'metadata.go');
  const text = readFileSync(file, 'utf8');
  const from = `IDColumn = DefaultColumn + "->'$._id'"`;
  if (!text.includes(from))
    throw new MissingBinaryError(
      'ferretdb',
      `the FerretDB source changed: ${file} no longer holds ${from}`,
      'Update patchIdLookups in packages/dev-stack/src/ferretdb-patches.ts for this FerretDB version.',
    );
  writeFileSync(file, text.replace(from, 'IDColumn = DefaultColumn + `->"_id"`'));
}

/**
 * FerretDB v1.24's PostgreSQL backend indexes `_id` as `_jsonb->'_id'` but looks a string `_id` up by
 * containment (`_jsonb->'_id' @> $1`), which that index does not serve: every `_id` read, update and delete
 * scanned the table (4 finds/s at 20,000 documents). `_id` is never an array, so containment is equality;
 * written as equality, the index serves it (999 finds/s, updates x2.6 over SQLite; bench/RESULTS.md).
 */
export function patchPostgresIdLookups(source: string): void {
  replaceOnce(
    join(source, 'internal', 'backends', 'postgresql', 'query.go'),
    '\tcase string, types.ObjectID, time.Time:\n\t\t// merge with the case below?\n',
    '\tcase string, types.ObjectID, time.Time:\n\t\tif k == "_id" {\n\t\t\tfilter = fmt.Sprintf(`%s = %s`, metadata.IDColumn, p.Next())\n\t\t\targs = append(args, string(must.NotFail(sjson.MarshalSingleValue(v))))\n\n\t\t\treturn\n\t\t}\n\n\t\t// merge with the case below?\n',
    'patchPostgresIdLookups',
  );
}

/** Replaces the one occurrence of `from` in `file`, or fails naming the patch to update. */
function replaceOnce(file: string, from: string, to: string, patch: string): void {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) {
    throw new MissingBinaryError(
      'ferretdb',
      `the FerretDB source changed: ${file} no longer holds, once, ${JSON.stringify(from.slice(0, 80))}`,
      `Update ${patch} in packages/dev-stack/src/ferretdb-patches.ts for this FerretDB version.`,
    );
  }
  writeFileSync(file, text.slice(0, at) + to + text.slice(at + from.length));
}

/**
 * FerretDB v1.24 updates a document by reading it, applying the operators in Go and writing it back, with
 * nothing between two updaters: 8 clients x 500 `$inc` on one document ended near 600, not 4,000. The added
 * handler file serialises each update, findAndModify and bulk-write statement per document (per collection
 * when the filter does not pin one `_id`), and closes each statement's cursor when it ends, which also ends
 * the hang of bulk writes of 100 updates and more on SQLite. On SQLite a filter holding `_id` beside other fields
 * (a guarded update's `{ _id, rev }`) is looked up by `_id` instead of reading the whole table (docs/decisions/010).
 */
export function patchAtomicUpdates(source: string): void {
  const handler = join(source, 'internal', 'handler');
  cpSync(
    join(__dirname, '..', 'ferretdb', 'cairn_atomic_updates.go'),
    join(handler, 'cairn_atomic_updates.go'),
  );

  const update = join(handler, 'msg_update.go');
  const text = readFileSync(update, 'utf8');
  const start = text.indexOf(
    '\t\tvar qp backends.QueryParams\n\t\tif !h.DisablePushdown {\n\t\t\tqp.Filter = u.Filter\n',
  );
  const endMark =
    '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\tif err != nil {\n\t\t\treturn 0, 0, nil, lazyerrors.Error(err)\n\t\t}\n';
  const end = text.indexOf(endMark);
  if (start < 0 || end < start || !text.slice(start, end).includes('defer closer.Close()')) {
    throw new MissingBinaryError(
      'ferretdb',
      `the FerretDB source changed: ${update} no longer queries and updates as patchAtomicUpdates expects`,
      'Update patchAtomicUpdates in packages/dev-stack/src/ferretdb-patches.ts for this FerretDB version.',
    );
  }
  const statement =
    '\t\tresult, err := h.updateStatement(ctx, c, params, &u, batch)\n\t\tif err != nil {\n\t\t\treturn 0, 0, nil, lazyerrors.Error(err)\n\t\t}\n';
  writeFileSync(update, text.slice(0, start) + statement + text.slice(end + endMark.length));
  replaceOnce(
    update,
    '\t"github.com/FerretDB/FerretDB/internal/util/iterator"\n',
    '',
    'patchAtomicUpdates',
  );
  // One batch per command: consecutive single-document statements commit together (updateBatch).
  replaceOnce(
    update,
    '\tfor _, u := range params.Updates {\n',
    '\tbatch := newUpdateBatch(params.DB, params.Collection)\n\tdefer batch.release()\n\n\tfor _, u := range params.Updates {\n',
    'patchAtomicUpdates',
  );
  replaceOnce(
    update,
    '\treturn matched, modified, &upserted, nil\n',
    '\tif err := batch.flush(ctx); err != nil {\n\t\treturn 0, 0, nil, lazyerrors.Error(err)\n\t}\n\n\treturn matched, modified, &upserted, nil\n',
    'patchAtomicUpdates',
  );

  const sqlite = join(source, 'internal', 'backends', 'sqlite');
  cpSync(
    join(__dirname, '..', 'ferretdb', 'cairn_id_pushdown.go'),
    join(sqlite, 'cairn_id_pushdown.go'),
  );
  replaceOnce(
    join(sqlite, 'collection.go'),
    // The anchor starts in Query, not Explain, which holds the same test.
    'params.OnlyRecordIDs)\n\n\tvar whereClause string\n\tvar args []any\n\n\t// that logic should exist in one place\n\t// TODO https://github.com/FerretDB/FerretDB/issues/3235\n\tif params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get("_id")\n',
    'params.OnlyRecordIDs)\n\n\tvar whereClause string\n\tvar args []any\n\n\tif v, ok := idFilterValue(params.Filter); ok {\n',
    'patchAtomicUpdates',
  );
  // `{ _id: { $in: [...] } }` read through the `_id` index too (idInClause): a page of contacts in one query.
  replaceOnce(
    join(sqlite, 'collection.go'),
    '\tif v, ok := idFilterValue(params.Filter); ok {\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n',
    '\tif v, ok := idFilterValue(params.Filter); ok {\n\t\tswitch v := v.(type) {\n\t\tcase *types.Document:\n\t\t\twhereClause, args = idInClause(v)\n\t\tcase string, types.ObjectID:\n\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n',
    'patchAtomicUpdates',
  );
  // ... and explain says so.
  replaceOnce(
    join(sqlite, 'collection.go'),
    '\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\tfilterPushdown = true\n',
    '\t\tswitch v := v.(type) {\n\t\tcase *types.Document:\n\t\t\twhereClause, args = idInClause(v)\n\t\t\tfilterPushdown = whereClause != ""\n\t\tcase string, types.ObjectID:\n\t\t\tfilterPushdown = true\n',
    'patchAtomicUpdates',
  );

  replaceOnce(
    join(handler, 'msg_findandmodify.go'),
    '\tcancel := func() {}\n',
    '\tunlock := lockForUpdate(params.DB, params.Collection, params.Query)\n\tdefer unlock()\n\n\tcancel := func() {}\n',
    'patchAtomicUpdates',
  );
}

/**
 * SQLite admits one writer at a time; FerretDB v1.24 lets every pooled connection try and leaves the losers
 * to SQLite's busy handler, which sleeps 1, 2, 5 ... 100 ms between tries. The added file gives writers of one
 * database turns on a mutex (FIFO hand-off, no sleeps); readers stay unqueued (WAL). Decision 036.
 */
export function patchSqliteWriteQueue(source: string): void {
  const fsql = join(source, 'internal', 'util', 'fsql');
  cpSync(
    join(__dirname, '..', 'ferretdb', 'cairn_write_queue.go'),
    join(fsql, 'cairn_write_queue.go'),
  );
  replaceOnce(
    join(fsql, 'db.go'),
    '\tres, err := db.sqlDB.ExecContext(ctx, query, args...)\n',
    '\tendTurn := db.writeTurn()\n\tres, err := db.sqlDB.ExecContext(ctx, query, args...)\n\tendTurn()\n',
    'patchSqliteWriteQueue',
  );
  replaceOnce(
    join(fsql, 'db.go'),
    '\tif sqlTx, err = db.sqlDB.BeginTx(ctx, nil); err != nil {\n',
    '\tendTurn := db.writeTurn()\n\tdefer endTurn()\n\n\tif sqlTx, err = db.sqlDB.BeginTx(ctx, nil); err != nil {\n',
    'patchSqliteWriteQueue',
  );
}

/**
 * FerretDB v1.24 tracks every iterator, transaction and connection wrapper it makes for leak reports: a pprof
 * profile entry with the caller's stack, and a finalizer that panics if the object was never closed. In a
 * release build that stack walk and the finalizers were about a tenth of its CPU under ingest (pprof, decision
 * 036). Debug builds keep the tracking; Cairn's release build skips it.
 */
export function patchResourceTracking(source: string): void {
  const file = join(source, 'internal', 'util', 'resource', 'resource.go');
  for (const fn of ['Track', 'Untrack'])
    replaceOnce(
      file,
      `func ${fn}(obj any, token *Token) {\n\tcheckArgs(obj, token)\n`,
      `func ${fn}(obj any, token *Token) {\n\tcheckArgs(obj, token)\n\n\tif !debugbuild.Enabled {\n\t\treturn\n\t}\n`,
      'patchResourceTracking',
    );
}
