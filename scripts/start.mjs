// `npm start`: install if needed, build, start the embedded stack, the worker and the API (which
// serves the designer), print the URLs, and stop everything on Ctrl-C.  `npm start -- --fresh` wipes data.
// A crashed API or worker is restarted with backoff (see supervise.mjs); the services stay up meanwhile.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ensureDependencies, log, root, runSync, spawnChild } from './lib.mjs';
import { stateFile, supervise } from './supervise.mjs';

const fresh = process.argv.includes('--fresh');
const port = process.env.CAIRN_API_PORT ?? '3000';

function secretKey(home) {
  if (process.env.CAIRN_SECRET_KEY) return process.env.CAIRN_SECRET_KEY;
  const file = join(home, 'secret-key');
  if (!existsSync(file)) {
    mkdirSync(home, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

async function waitForReady(url, api, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // A crash before the first ready answer is a setup problem (configuration, port in use): restarting won't help.
    if (api.restarts > 0 || api.child.exitCode !== null)
      throw new Error('the API exited while starting (see its output above)');
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the API did not become ready within ${timeoutMs / 1000}s`);
}

let runningStack;
const supervisors = [];

async function main() {
  ensureDependencies();
  log('building ...');
  runSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
  const require = createRequire(join(root, 'package.json'));
  const { startStack, cairnHome } = require('./packages/dev-stack/dist/index.js');
  const home = cairnHome();
  const stack = await startStack({ instance: 'dev', fresh, log: (line) => log(line) });
  runningStack = stack;
  const env = {
    ...stack.env,
    CAIRN_SECRET_KEY: secretKey(home),
    CAIRN_API_PORT: port,
    NODE_ENV: 'development',
  };
  env.CAIRN_PUBLIC_URL = process.env.CAIRN_PUBLIC_URL ?? `http://127.0.0.1:${port}`;

  // The API's /readyz reads this file to report a worker that is being restarted.
  env.CAIRN_SUPERVISOR_STATE_FILE = join(home, 'run', 'processes.json');
  let demo;
  let stopping = false;
  const stopAll = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    log('stopping ...');
    if (demo && demo.exitCode === null) demo.kill('SIGTERM');
    await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
    await stack.stop();
    log('stopped; no service left running');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stopAll(0));

  // The demo store loads beside the API (first run only), so the designer is usable while history streams in.
  demo = spawnChild(
    'demo',
    'node',
    ['apps/api/dist/cli.js', 'demo', '--keys-file', join(home, 'demo-keys.json')],
    env,
  );
  const onState = stateFile(env.CAIRN_SUPERVISOR_STATE_FILE);
  const worker = supervise({
    name: 'worker',
    start: () => spawnChild('worker', 'node', ['apps/worker/dist/main.js'], env),
    log,
    onState,
  });
  const api = supervise({
    name: 'api',
    start: () => spawnChild('api', 'node', ['apps/api/dist/main.js'], env),
    log,
    onState,
  });
  supervisors.push(worker, api);
  demo.on('exit', (code) => {
    if (code)
      log(
        `the demo data loader exited with ${code} (the product keeps running; see its output above)`,
      );
  });
  process.on('exit', () => {
    if (demo.exitCode === null) demo.kill('SIGTERM');
  });

  const url = `http://127.0.0.1:${port}`;
  await waitForReady(url, api, 120_000);
  const keysFile = join(home, 'demo-keys.json');
  const keys = existsSync(keysFile) ? JSON.parse(readFileSync(keysFile, 'utf8')) : undefined;
  log('Cairn is running:');
  console.log(`
  Designer      ${url}/
  API           ${url}/api/v1   (OpenAPI: ${url}/openapi.json)
  Ingestion     ${url}/v1/track, /v1/identify, /v1/batch ... (Segment-compatible)
  Readiness     ${url}/readyz
  Temporal UI   ${stack.temporalUiUrl ?? '(external Temporal)'}
  MongoDB       ${stack.mongoUrl}   (${stack.engine.description})
${
  keys
    ? `
  Demo workspace ${keys.workspaceId}: sign in to the designer${keys.user ? ` as ${keys.user.email}` : ' with the admin key'}
${keys.user ? `    email       ${keys.user.email}\n    password    ${keys.user.password}\n` : ''}    admin key   ${keys.adminKey}   (machines, or "Use an API key" in the designer)
    write key   ${keys.writeKey}
`
    : ''
}
  Press Ctrl-C to stop.`);
}

main().catch(async (error) => {
  console.error(`\n[cairn] npm start failed: ${error.message}`);
  await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
  await runningStack?.stop().catch(() => undefined);
  process.exit(error.exitCode ?? 1);
});
