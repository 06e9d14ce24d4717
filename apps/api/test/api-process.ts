import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  connectDatabase,
  createWorkspace,
  syncIndexes,
  type CreatedWorkspace,
  type Database,
} from '@cairn/db';

/** The built API (`node dist/main.js`) as its own process, as `npm start` runs it: a crash shows as an exit. */
export interface ApiProcess {
  url: string;
  db: Database;
  /** Set once the process has exited, with its code and the end of its output. */
  exited(): { code: number | null; signal: NodeJS.Signals | null; output: string } | undefined;
  output(): string;
  workspace(): Promise<CreatedWorkspace>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startApiProcess(env: Record<string, string> = {}): Promise<ApiProcess> {
  const mongoUrl = process.env.MONGO_URL;
  const temporal = process.env.TEMPORAL_ADDRESS;
  if (!mongoUrl || !temporal)
    throw new Error(
      'MONGO_URL and TEMPORAL_ADDRESS are not set: run integration tests through `npm test`',
    );
  const dbName = `apiproc_${randomBytes(4).toString('hex')}`;
  const db = await connectDatabase(mongoUrl, dbName);
  await syncIndexes(db.connection);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, '..', 'dist', 'main.js')], {
    env: {
      ...process.env,
      MONGO_URL: mongoUrl,
      MONGO_DB: dbName,
      TEMPORAL_ADDRESS: temporal,
      CAIRN_API_PORT: String(port),
      CAIRN_API_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null; output: string } | undefined;
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal, output: output.slice(-4000) };
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exit) throw new Error(`the API exited at start (code ${exit.code}):\n${exit.output}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline)
      throw new Error(`the API did not answer /healthz within 30 s:\n${output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    db,
    exited: () => exit,
    output: () => output,
    workspace: () =>
      createWorkspace(db.connection, {
        name: 'Process test',
        slug: `p-${randomBytes(4).toString('hex')}`,
      }),
    async stop() {
      if (!exit) {
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 12_000).unref())]);
        if (!exit) child.kill('SIGKILL');
      }
      await db.connection.dropDatabase().catch(() => undefined);
      await db.close();
    },
  };
}
