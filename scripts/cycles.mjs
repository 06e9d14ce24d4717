// `npm run cycles [root]`: fails when a module imports itself through others (type-only imports count: they tie two
// files just as much). Plain Node plus the repository's own TypeScript, so it follows whatever syntax tsc
// accepts; why not madge or eslint's import-x/no-cycle: docs/decisions/030-import-cycle-check.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const sourceExtensions = ['.ts', '.tsx', '.mts', '.cts'];

/** Every TypeScript source file under `dir` (declaration files and node_modules skipped). */
function sourceFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(path));
    else if (sourceExtensions.some((e) => entry.name.endsWith(e)) && !entry.name.endsWith('.d.ts'))
      found.push(path);
  }
  return found;
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The source file a relative specifier names (`./x.js` is written for `./x.ts` under nodenext). */
function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(m|c)?jsx?$/, '');
  const candidates = [
    ...sourceExtensions.map((e) => stem + e),
    ...sourceExtensions.map((e) => join(base, 'index' + e)),
  ];
  return candidates.find(isFile);
}

/** Import graph of `files`: file → files it imports (relative specifiers only; packages are not cycles). */
export function importGraph(files, ts) {
  const graph = new Map();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set();
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveRelative(file, fileName);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node))
      found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** One concrete loop inside a component, so the message shows which import to cut. */
export function loopIn(component, graph) {
  const members = new Set(component);
  const start = component[0];
  const path = [start];
  const seen = new Set([start]);
  for (;;) {
    const next = (graph.get(path.at(-1)) ?? []).find((n) => members.has(n));
    if (next === undefined) return path;
    if (seen.has(next)) return [...path.slice(path.indexOf(next)), next];
    seen.add(next);
    path.push(next);
  }
}

/** The source roots checked: every workspace's src/. */
export function sourceRoots(root) {
  const roots = [];
  for (const group of ['packages', 'apps', 'examples']) {
    let names = [];
    try {
      names = readdirSync(join(root, group));
    } catch {
      continue;
    }
    for (const name of names) {
      const src = join(root, group, name, 'src');
      try {
        if (statSync(src).isDirectory()) roots.push(src);
      } catch {
        // a workspace without src/ has nothing to check
      }
    }
  }
  return roots;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const repository = resolve(dirname(new URL(import.meta.url).pathname), '..');
  // Another root may be named (the script's own tests check a made-up repository); TypeScript is ours.
  const root = resolve(process.argv[2] ?? repository);
  const ts = createRequire(join(repository, 'package.json'))('typescript');
  const files = sourceRoots(root).flatMap(sourceFiles);
  const graph = importGraph(files, ts);
  const found = cycles(graph);
  if (found.length === 0) {
    console.log(`no import cycle in ${files.length} source files`);
  } else {
    for (const component of found) {
      const loop = loopIn(component, graph).map((f) => relative(root, f));
      console.error(`import cycle (${component.length} files): ${loop.join(' → ')}`);
    }
    console.error(
      `${found.length} import cycle(s): move what both sides need into a third module, or invert one import`,
    );
    process.exit(1);
  }
}
