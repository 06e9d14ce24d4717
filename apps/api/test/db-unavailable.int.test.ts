import { connect, createServer, type Server, type Socket } from 'node:net';
import type { CreatedWorkspace } from '@cairn/db';
import { startApi, type RunningApi } from './harness';

/**
 * A TCP relay between the API and the real database: cutting it makes the database unreachable for
 * the API exactly as a crashed server or a network split would, with the real driver's errors.
 */
class DatabaseRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const db = connect(this.target.port, this.target.host);
      for (const s of [client, db]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(db).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('the database goes away', () => {
  let api: RunningApi;
  let relay: DatabaseRelay;
  let ws: CreatedWorkspace;
  const realUrl = process.env.MONGO_URL;

  beforeAll(async () => {
    const target = new URL(realUrl ?? 'mongodb://127.0.0.1:27017');
    relay = new DatabaseRelay({ host: target.hostname, port: Number(target.port || 27017) });
    await relay.open();
    process.env.MONGO_URL = `mongodb://127.0.0.1:${relay.port}/`;
    try {
      api = await startApi();
    } finally {
      process.env.MONGO_URL = realUrl;
    }
    ws = await api.workspace();
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await relay.cut();
  });

  const track = (messageId: string) =>
    api.ingest(ws.writeKey, '/v1/track', { userId: 'u1', event: 'Tick', messageId });

  it('answers 503 problem+json with Retry-After (never a 500 or a hang) and recovers when it is back', async () => {
    expect((await track('before')).status).toBe(200);
    await relay.cut();

    for (const request of [
      () => track('during'),
      () => api.admin(ws.adminKey, '/api/v1/contacts/u1'),
      () => api.fetch('/readyz'),
    ]) {
      const started = Date.now();
      const res = await request();
      const body = (await res.json()) as { status: number };
      expect({
        status: res.status,
        type: res.headers.get('content-type'),
        retryAfter: res.headers.get('retry-after'),
      }).toEqual({
        status: 503,
        type: expect.stringContaining('application/problem+json'),
        retryAfter: expect.stringMatching(/^\d+$/),
      });
      expect(body.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(15_000);
    }

    await relay.open();
    // The same app, no restart: the driver reconnects on its own.
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await track('during')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(200);
    const contact = (await (await api.admin(ws.adminKey, '/api/v1/contacts/u1')).json()) as {
      profile: { events: Record<string, { count: number }> };
    };
    // 'before' and the retried 'during', each once.
    expect(contact.profile.events.Tick?.count).toBe(2);
  }, 90_000);
});
