import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The monorepo root: the nearest folder upwards whose package.json declares workspaces. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
        if (pkg.workspaces) return dir;
      } catch {
        // an unreadable package.json is not the root; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** `.cairn/` holds installed binaries, service data and logs; it is git-ignored. */
export function cairnHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CAIRN_HOME ? resolve(env.CAIRN_HOME) : join(findRepoRoot(), '.cairn');
}
