import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import pino from 'pino';
import { checkResponses } from './response-check';

/** A tiny app whose routes answer what each test makes them answer, behind the same check the API uses in tests. */
async function serve(answers: Record<string, unknown>) {
  const logged: unknown[] = [];
  const logger = pino(
    { level: 'error' },
    { write: (line: string) => void logged.push(JSON.parse(line)) },
  );
  const app = express();
  app.use(checkResponses(logger));
  // Real contract keys: GET /healthz and GET /api/v1/keys (mounted like the API mounts it).
  app.get('/healthz', (_req, res) => void res.json(answers.healthz));
  const management = express.Router();
  management.get('/keys', (_req, res) => void res.json(answers.keys));
  management.get('/not-in-contract', (_req, res) => void res.json({ ok: true }));
  app.use('/api/v1', management);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, logged, close: () => new Promise((r) => server.close(r)) };
}

describe('checkResponses', () => {
  it('passes an answer its schema describes, Dates read as the ISO text the client gets', async () => {
    const at = new Date('2026-12-01T10:00:00Z');
    const app = await serve({
      healthz: { status: 'ok' },
      keys: {
        keys: [
          { id: 'k1', name: 'CI', scope: 'write', createdAt: at, revokedAt: null, lastUsedAt: at },
        ],
      },
    });
    try {
      const keys = await fetch(`${app.url}/api/v1/keys`);
      expect(keys.status).toBe(200);
      expect(await keys.json()).toEqual({
        keys: [expect.objectContaining({ createdAt: '2026-12-01T10:00:00.000Z' })],
      });
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect(app.logged).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('turns an answer its schema does not describe into a logged 500 naming each field', async () => {
    const app = await serve({
      healthz: { status: 'fine' },
      // A field the contract does not have, and a wrong type.
      keys: {
        keys: [
          {
            id: 'k1',
            name: 'CI',
            scope: 'write',
            createdAt: 'yesterday',
            revokedAt: null,
            lastUsedAt: null,
            secretHash: 'x',
          },
        ],
      },
    });
    try {
      const health = await fetch(`${app.url}/healthz`);
      expect(health.status).toBe(500);
      expect(health.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const problem = (await health.json()) as { detail: string; errors: { path: string }[] };
      expect(problem.detail).toMatch(/GET \/healthz/);
      expect(problem.errors.map((e) => e.path)).toEqual(['answer.status']);

      const keys = await fetch(`${app.url}/api/v1/keys`);
      expect(keys.status).toBe(500);
      const paths = ((await keys.json()) as { errors: { path: string }[] }).errors.map(
        (e) => e.path,
      );
      expect(paths).toEqual(expect.arrayContaining(['answer.keys[0].createdAt', 'answer.keys[0]']));
      expect(app.logged).toHaveLength(2);
      expect(app.logged[0]).toMatchObject({
        route: 'GET /healthz',
        msg: expect.stringMatching(/contract/),
      });
    } finally {
      await app.close();
    }
  });

  it('refuses a JSON answer from a route the contract does not list', async () => {
    const app = await serve({});
    try {
      const res = await fetch(`${app.url}/api/v1/not-in-contract`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { detail: string }).detail).toMatch(
        /GET \/api\/v1\/not-in-contract/,
      );
    } finally {
      await app.close();
    }
  });
});
