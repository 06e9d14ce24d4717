// Starts the real Cairn API and worker (built dist/ of each) as child processes on the stack the test run
// started, creates a fresh workspace, and drives Chromium with playwright-core: CHROMIUM_PATH, a system
// Chromium, or the build `npm test` unpacks into .cairn/ (see @cairn/dev-stack's ensureChromium).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { connectDatabase, createWorkspace, type CreatedWorkspace, type Database } from '@cairn/db';
import { cairnHome, ensureChromium } from '@cairn/dev-stack';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run the browser tests on a stack, e.g. ` +
        "`node packages/dev-stack/dist/cli.js exec -- bash -c 'cd apps/designer && npx jest -c jest.e2e.config.cjs'`",
    );
  }
  return value;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export type Stack = {
  url: string;
  workspace: CreatedWorkspace;
  db: Database;
  /** Admin API call with JSON in and out; throws with the response body on a non-2xx. */
  admin<T = unknown>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /** Raw admin API response, for tests that check a status. */
  adminRaw(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  /** Segment-style ingestion with the write key as HTTP Basic username; answers once the events are folded. */
  ingest(path: string, body: unknown): Promise<Response>;
  logs(): string;
  close(): Promise<void>;
};

function startProcess(script: string, env: NodeJS.ProcessEnv, log: string[]): ChildProcess {
  const child = spawn(process.execPath, [script], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    if (log.length > 400) log.splice(0, log.length - 400);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

async function waitUntilReady(
  url: string,
  children: ChildProcess[],
  log: string[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.exitCode !== null);
    if (dead)
      throw new Error(
        `a Cairn process exited with code ${dead.exitCode} before the API was ready:\n${log.join('').slice(-4000)}`,
      );
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
      last = await response.text();
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `the API at ${url} was not ready within ${timeoutMs} ms (last answer: ${last}):\n${log.join('').slice(-4000)}`,
  );
}

/** The real API and worker on a fresh database and task queue, and a fresh workspace with its keys. */
export async function startStack(): Promise<Stack> {
  const mongoUrl = requireEnv('MONGO_URL');
  const temporalAddress = requireEnv('TEMPORAL_ADDRESS');
  const port = await freePort();
  const suffix = randomBytes(4).toString('hex');
  const mongoDb = `designer_e2e_${suffix}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MONGO_URL: mongoUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    MONGO_DB: mongoDb,
    CAIRN_API_PORT: String(port),
    CAIRN_API_HOST: '127.0.0.1',
    TEMPORAL_TASK_QUEUE: `designer-e2e-${suffix}`,
    CAIRN_SECRET_KEY: randomBytes(24).toString('hex'),
    CAIRN_DESIGNER_DIR: 'apps/designer/dist',
    CAIRN_PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
  };
  const log: string[] = [];
  const children = [
    startProcess('apps/api/dist/main.js', env, log),
    startProcess('apps/worker/dist/main.js', env, log),
  ];
  const url = `http://127.0.0.1:${port}`;
  let db: Database | undefined;
  try {
    await waitUntilReady(url, children, log);
    db = await connectDatabase(mongoUrl, mongoDb);
  } catch (error) {
    for (const child of children) child.kill('SIGTERM');
    throw error;
  }
  const workspace = await createWorkspace(db.connection, {
    name: 'Designer e2e',
    slug: `e2e-${suffix}`,
  });

  const adminRaw = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(url + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${workspace.adminKey}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  return {
    url,
    workspace,
    db,
    adminRaw,
    async admin<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
      const response = await adminRaw(path, init);
      const text = await response.text();
      if (!response.ok)
        throw new Error(
          `${init.method ?? (init.body === undefined ? 'GET' : 'POST')} ${path} → ${response.status}: ${text.slice(0, 500)}`,
        );
      return (text ? JSON.parse(text) : undefined) as T;
    },
    ingest: (path, body) =>
      fetch(`${url}${path}${path.includes('?') ? '&' : '?'}wait=folded`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${workspace.writeKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }),
    logs: () => log.join(''),
    async close() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
              child.once('exit', () => {
                clearTimeout(timer);
                done();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
      await db?.connection.dropDatabase().catch(() => undefined);
      await db?.close();
    },
  };
}

export type Browser = { context: BrowserContext; page: Page; close(): Promise<void> };

/** Chromium with a fresh profile directory; the page logs console errors into `errors`. */
export async function openBrowser(errors: string[] = []): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'cairn-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: ensureChromium({ home: cairnHome() }).path,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    // A failed request is logged by Chromium itself; the app shows those in its own error boxes.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens the designer and signs in with the workspace's admin key ("Use an API key"). */
export async function signIn(page: Page, stack: Stack): Promise<void> {
  await page.goto(`${stack.url}/`);
  await page.getByTestId('use-api-key').click();
  await page.getByTestId('admin-key').fill(stack.workspace.adminKey);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('nav-journeys').waitFor();
}

export type Designer = {
  /** The stack of this file's tests; read it in hooks and tests, not at module load. */
  readonly stack: Stack;
  /** The one Chromium page this file's tests drive. */
  readonly page: Page;
  /** Console errors and uncaught exceptions of the page, for `expect(pageErrors).toEqual([])`. */
  readonly pageErrors: string[];
};

/**
 * Registers the hooks every browser test file starts with: a stack and Chromium before its tests, `seed`
 * (data the file needs, through the stack's API), then (unless `signIn: false`) the designer signed in
 * with the admin key; both closed after the file.
 */
export function useDesigner(
  options: { signIn?: boolean; seed?: (stack: Stack) => Promise<void> } = {},
): Designer {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    stack = await startStack();
    browser = await openBrowser(pageErrors);
    await options.seed?.(stack);
    if (options.signIn === false) return;
    const { page } = browser;
    const started = stack;
    await signIn(page, started).catch(async (error: unknown) => {
      throw new Error(
        `${String(error)}\npage errors: ${pageErrors.join('; ')}\nbody: ${(await page.content()).slice(0, 1500)}\nlogs: ${started.logs().slice(-1500)}`,
      );
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('useDesigner: the stack is read before its beforeAll ran');
    return value;
  };
  return {
    get stack() {
      return started(stack);
    },
    get page() {
      return started(browser).page;
    },
    pageErrors,
  };
}

/** Opens the designer signed out and signs in with an email and password, as a person would. */
export async function signInAsUser(
  page: Page,
  stack: Stack,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${stack.url}/`);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.getByTestId('signin-email').fill(email);
  await page.getByTestId('signin-password').fill(password);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('signed-in-role').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Drags a palette item onto the canvas at (x, y) relative to the canvas, with real HTML5 drag events. */
export async function dragToCanvas(
  page: Page,
  paletteTestId: string,
  at: { x: number; y: number },
): Promise<void> {
  const canvas = page.getByTestId('canvas');
  await page.getByTestId(paletteTestId).dragTo(canvas, { targetPosition: at });
}

/** Re-reads until the assertion passes (the UI and the engine settle asynchronously); rethrows the last failure. */
export async function eventually<T>(
  read: () => Promise<T>,
  assert: (value: T) => void,
  options: { timeout?: number; interval?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeout ?? 15_000);
  for (;;) {
    const value = await read();
    try {
      assert(value);
      return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((r) => setTimeout(r, options.interval ?? 250));
  }
}
