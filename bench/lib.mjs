// Shared helpers for benchmarks: machine description, sections in RESULTS.md, child processes.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'bench', 'RESULTS.md');

export function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function today() {
  return new Date().toISOString().slice(0, 10);
}

/** Replaces (or appends) the section named `id` in bench/RESULTS.md. */
/** How a bench names the engine it ran on (from connectDatabase's capabilities), and its section suffix. */
export function engineLabel(capabilities) {
  const engine = capabilities.adapter;
  const name =
    {
      'ferretdb-sqlite': 'FerretDB v1.24.2 on SQLite',
      'ferretdb-postgresql': 'FerretDB v1.24.2 on PostgreSQL 18',
    }[engine] ?? engine;
  return {
    engine,
    name,
    /** What to put before `npm run bench` to get this engine. */
    prefix: engine === 'ferretdb-sqlite' ? '' : `CAIRN_ENGINE=${engine} `,
    described: `embedded ${name} (Cairn's build, \`${capabilities.version}\`)`,
  };
}

export function writeSection(id, markdown) {
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  let text = existsSync(results)
    ? readFileSync(results, 'utf8')
    : '# Benchmark results\n\nLatest figures per benchmark; each section names its command, machine and date.\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(results, text);
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function requireEnv(name) {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run benchmarks with \`npm run bench\` (it starts the embedded stack)`,
    );
  return value;
}

/** Starts a built Cairn app (api or worker) as a child process; resolves once `ready()` succeeds. */
export async function startApp(name, env, ready) {
  // BENCH_PROFILE=dir writes a V8 CPU profile of each app (open it in Chrome DevTools) when it stops,
  // and counts its database commands (bench/commands.cjs; `databaseCommands` reads them).
  const profile = process.env.BENCH_PROFILE
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${process.env.BENCH_PROFILE}`,
        `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`,
        '--require',
        join(root, 'bench/commands.cjs'),
      ]
    : [];
  const counting = process.env.BENCH_PROFILE
    ? { CAIRN_MONITOR_COMMANDS: '1', BENCH_APP: name }
    : {};
  const child = spawn('node', [...profile, join(root, `apps/${name}/dist/main.js`)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, ...counting },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if (await ready()) return child;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not become ready`);
}

/** Starts bench/bare-worker.mjs (a Temporal worker with no Cairn in it); resolves once it polls. */
export async function startBareWorker(env) {
  const child = spawn('node', [join(root, 'bench/bare-worker.mjs')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`bare worker exited with ${code}`)));
  });
  return { child, cache: Number(/maxCachedWorkflows=(\d+)/.exec(line)?.[1]) };
}

/**
 * Under BENCH_PROFILE: the database commands each app has sent so far ({ app: { 'find coll': { count, ms } } }),
 * asked of bench/commands.cjs by a signal; undefined otherwise. Diff two answers to count a leg's.
 */
export async function databaseCommands(apps) {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return undefined;
  const answers = {};
  for (const [name, child] of Object.entries(apps)) {
    const file = join(dir, `${name}-commands.json`);
    const before = existsSync(file) ? statSync(file).mtimeMs : 0;
    child.kill('SIGWINCH');
    for (
      let tries = 0;
      tries < 100 && (!existsSync(file) || statSync(file).mtimeMs === before);
      tries++
    )
      await new Promise((r) => setTimeout(r, 20));
    answers[name] = JSON.parse(readFileSync(file, 'utf8'));
  }
  return answers;
}

/** What `databaseCommands` counted between two answers, per unit of work (e.g. per start), as text lines. */
export function commandsPer(before, after, units) {
  if (!before || !after) return [];
  const lines = [];
  for (const [app, counts] of Object.entries(after))
    for (const [key, { count, ms }] of Object.entries(counts)) {
      const was = before[app]?.[key] ?? { count: 0, ms: 0 };
      const n = count - was.count;
      if (n > 0)
        lines.push(
          `  ${app} ${key}: ${(n / units).toFixed(2)} per start, ${((ms - was.ms) / n).toFixed(1)} ms mean`,
        );
    }
  return lines;
}

export async function stopApp(child) {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * What the journeys, latency and memory benchmarks share: a workspace in a database of its own, the real
 * worker and API on it, an admin fetch, the write key's Basic header and a Temporal client. `prepare` runs
 * before the apps start (creating contacts directly is faster than through the API). `stop()` undoes it all.
 */
export async function startCairn(label, { prepare, env: extraEnv = {} } = {}) {
  const require = createRequire(join(root, 'package.json'));
  const { connectDatabase, createWorkspace, syncIndexes } = require('@cairn/db');
  const { Client, Connection } = require('@temporalio/client');
  const stamp = Date.now();
  const dbName = `bench_${label}_${stamp}`;
  const taskQueue = `bench-${label}-${stamp}`;
  const db = await connectDatabase(requireEnv('MONGO_URL'), dbName);
  await syncIndexes(db.connection);
  const ws = await createWorkspace(db.connection, {
    name: 'bench',
    slug: `bench-${label}-${stamp}`,
  });
  const started = [];
  let connection;
  const stop = async () => {
    await connection?.close();
    for (const child of started.reverse()) await stopApp(child);
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
  };
  try {
    if (prepare) await prepare(db, ws);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      MONGO_DB: dbName,
      TEMPORAL_TASK_QUEUE: taskQueue,
      CAIRN_API_PORT: String(port),
      CAIRN_SECRET_KEY: 'bench-secret-bench-secret-bench-secret!!',
      ...extraEnv,
    };
    console.log('starting the worker and the API ...');
    const worker = await startApp('worker', env, async () => true);
    started.push(worker);
    const api = await startApp('api', env, async () => (await fetch(`${url}/readyz`)).ok);
    started.push(api);
    connection = await Connection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
    const admin = (path, body) =>
      fetch(url + path, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${ws.adminKey}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
    return {
      db,
      ws,
      workspaceId: ws.workspace._id,
      taskQueue,
      url,
      worker,
      api,
      client: new Client({ connection }),
      writeAuth: `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`,
      admin,
      /** Publishes trigger → delay → exit through the API (the benches' journey); returns its id. */
      async publishDelayJourney(name, trigger, duration) {
        const definition = {
          name,
          settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
          nodes: [
            { id: 'start', kind: 'trigger', trigger },
            { id: 'wait', kind: 'delay', duration },
            { id: 'done', kind: 'exit' },
          ],
          edges: [
            { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait' },
            { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'done' },
          ],
        };
        const created = await (await admin('/api/v1/journeys', { name, definition })).json();
        const published = await admin(`/api/v1/journeys/${created.id}/publish`, {});
        if (!published.ok) throw new Error(`publish failed: ${await published.text()}`);
        return created.id;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
