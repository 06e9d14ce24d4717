import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import pino from 'pino';
import { loadConfig } from '@cairn/config';
import { eventModel } from '@cairn/db';
import { createApp } from '../src/app';
import type { ApiContext } from '../src/context';
import { startApiProcess, type ApiProcess } from './api-process';
import { routeTable } from './route-table';

/**
 * Transport-level fuzzing of every route in the route table, against the API running as its own process:
 * damaged and oversized compressed bodies, odd content types and charsets, oversized and duplicate headers,
 * broken framing, slow bodies, malformed credentials. The bar: the process never exits, never answers 5xx,
 * answers every 4xx as problem+json (400/422 naming a field), and stores nothing from a refused request.
 * Requests go out on raw sockets, so nothing a client library would refuse to send is left out.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
jest.setTimeout(300_000);

let api: ApiProcess;
let keys: { writeKey: string; adminKey: string; workspace: { _id: string } };
let port: number;

beforeAll(async () => {
  // Limits off: thousands of requests a minute from one key are the point here.
  api = await startApiProcess({
    CAIRN_RATE_LIMIT_INGEST_PER_MINUTE: '0',
    CAIRN_RATE_LIMIT_API_PER_MINUTE: '0',
    CAIRN_SECRET_KEY: 'transport-fuzz-secret-transport-fuzz-0',
  });
  keys = await api.workspace();
  port = Number(new URL(api.url).port);
});
afterAll(async () => api?.stop());

/** Every route the app serves, read from Express's own router; parameters get ids that match nothing. */
function routes(): { method: string; path: string }[] {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const app = createApp({
    config,
    db: {},
    temporal: {},
    logger: pino({ level: 'silent' }),
  } as unknown as ApiContext);
  const seen = new Set<string>();
  return routeTable(app)
    .map((r) => ({
      method: r.method,
      path: r.path
        .replace(/[{}]/g, '')
        .replace(/:(\w+)/g, 'fz-$1')
        .replace(/\*\w*/g, 'fz'),
    }))
    .filter(
      (r) =>
        !seen.has(`${r.method} ${r.path}`) &&
        seen.add(`${r.method} ${r.path}`) &&
        r.method !== 'HEAD',
    );
}
const ROUTES = routes();

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = parseInt(raw.subarray(at, lineEnd).toString(), 16);
    if (!size) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Sends raw bytes (optionally in slow pieces) and reads the whole answer; the server closes after it. */
function raw(pieces: (string | Buffer)[], delayMs = 0): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 20 s'));
    }, 20_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may answer and close before the whole request is written (a refused upload).
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split === -1)
        return reject(
          new Error(`no HTTP answer (${all.length} bytes): ${all.toString().slice(0, 200)}`),
        );
      const [statusLine, ...lines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines)
        headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line
          .slice(line.indexOf(':') + 1)
          .trim();
      const rest = all.subarray(split + 4);
      const body = headers['transfer-encoding'] === 'chunked' ? dechunk(rest) : rest;
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') });
    });
    void (async () => {
      for (const piece of pieces) {
        if (socket.destroyed) return;
        socket.write(piece);
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      }
    })();
  });
}

interface Request {
  method: string;
  path: string;
  headers: [string, string][];
  body?: Buffer;
  /** Framing is the case's own business (duplicate or conflicting lengths, broken chunks). */
  rawFraming?: boolean;
  slow?: boolean;
}

function send(req: Request): Promise<Answer> {
  const head = [
    `${req.method} ${req.path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Connection: close',
    ...req.headers.map(([k, v]) => `${k}: ${v}`),
  ];
  if (!req.rawFraming && req.body) head.push(`Content-Length: ${req.body.length}`);
  const top = Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1');
  if (!req.body) return raw([top]);
  if (!req.slow) return raw([Buffer.concat([top, req.body])]);
  const pieces: Buffer[] = [top];
  for (let i = 0; i < req.body.length; i += Math.ceil(req.body.length / 6))
    pieces.push(req.body.subarray(i, i + Math.ceil(req.body.length / 6)));
  return raw(pieces, 40);
}

const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;
const authFor = (path: string) =>
  path.startsWith('/v1') ? basic(keys.writeKey) : `Bearer ${keys.adminKey}`;

/** A valid event with a messageId of its own, so the test can tell whether a refused request stored it. */
function eventBody(path: string): { json: string; messageIds: string[] } {
  const messageId = `tf-${randomUUID()}`;
  const event = {
    type: 'track',
    userId: 'tf-user',
    event: 'Transport Fuzzed',
    messageId,
    properties: { n: 1 },
  };
  if (path === '/v1/batch')
    return { json: JSON.stringify({ batch: [event] }), messageIds: [messageId] };
  if (path.startsWith('/v1/')) return { json: JSON.stringify(event), messageIds: [messageId] };
  return { json: JSON.stringify({ name: 'fz', definition: {} }), messageIds: [] };
}

type Encoding = 'gzip' | 'deflate' | 'br';
const compressors: Record<Encoding, (b: Buffer) => Buffer> = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};
/** Decompresses to 20 MB of spaces, far past every body limit; ~20 KB on the wire. */
const BOMB = {
  gzip: gzipSync(Buffer.alloc(20 * 1024 * 1024, 32)),
  deflate: deflateSync(Buffer.alloc(20 * 1024 * 1024, 32)),
  br: brotliCompressSync(Buffer.alloc(20 * 1024 * 1024, 32)),
};

type Attack = (route: { method: string; path: string }) => Request;
const withBody = (
  route: { method: string; path: string },
  headers: [string, string][],
  body: Buffer,
  extra: Partial<Request> = {},
): Request => ({
  method: route.method === 'GET' || route.method === 'DELETE' ? 'POST' : route.method,
  path: route.path,
  headers: [['Authorization', authFor(route.path)], ...headers],
  body,
  ...extra,
});
const json = (route: { path: string }) => Buffer.from(eventBody(route.path).json);

const ATTACKS: Record<string, Attack> = {};
for (const encoding of ['gzip', 'deflate', 'br'] as const) {
  ATTACKS[`${encoding} cut short`] = (r) => {
    const whole = compressors[encoding](json(r));
    return withBody(
      r,
      [
        ['Content-Type', 'application/json'],
        ['Content-Encoding', encoding],
      ],
      whole.subarray(0, Math.floor(whole.length / 2)),
    );
  };
  ATTACKS[`${encoding} corrupt`] = (r) => {
    const bytes = Buffer.from(compressors[encoding](json(r)));
    for (let i = 2; i < bytes.length; i += 2) bytes[i] = bytes[i]! ^ 0xa5;
    return withBody(
      r,
      [
        ['Content-Type', 'application/json'],
        ['Content-Encoding', encoding],
      ],
      bytes,
    );
  };
  ATTACKS[`${encoding} bomb`] = (r) =>
    withBody(
      r,
      [
        ['Content-Type', 'application/json'],
        ['Content-Encoding', encoding],
      ],
      BOMB[encoding],
    );
}
Object.assign(ATTACKS, {
  'unknown encoding': (r) =>
    withBody(
      r,
      [
        ['Content-Type', 'application/json'],
        ['Content-Encoding', 'compress'],
      ],
      json(r),
    ),
  'stacked encodings': (r) =>
    withBody(
      r,
      [
        ['Content-Type', 'application/json'],
        ['Content-Encoding', 'gzip, gzip'],
      ],
      gzipSync(gzipSync(json(r))),
    ),
  'no content type': (r) => withBody(r, [], json(r)),
  'form-encoded': (r) =>
    withBody(
      r,
      [['Content-Type', 'application/x-www-form-urlencoded']],
      Buffer.from('userId=a&event=b'),
    ),
  multipart: (r) =>
    withBody(
      r,
      [['Content-Type', 'multipart/form-data; boundary=XyZ']],
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="event"\r\n\r\nx\r\n--XyZ--\r\n'),
    ),
  'utf-16 charset': (r) =>
    withBody(
      r,
      [['Content-Type', 'application/json; charset=utf-16']],
      Buffer.from(json(r).toString(), 'utf16le'),
    ),
  'unknown charset': (r) =>
    withBody(r, [['Content-Type', 'application/json; charset=klingon']], json(r)),
  'quoted charset': (r) =>
    withBody(r, [['Content-Type', 'application/json; charset="UTF-8"']], json(r)),
  'oversized header': (r) => ({
    method: r.method,
    path: r.path,
    headers: [
      ['Authorization', authFor(r.path)],
      ['X-Padding', 'a'.repeat(20_000)],
    ],
  }),
  'many headers': (r) => ({
    method: r.method,
    path: r.path,
    headers: [
      ['Authorization', authFor(r.path)],
      ...Array.from({ length: 3000 }, (_, i): [string, string] => [`X-H${i}`, 'v']),
    ],
  }),
  'two different Content-Lengths': (r) =>
    withBody(
      r,
      [
        ['Content-Type', 'application/json'],
        ['Content-Length', '2'],
        ['Content-Length', '3'],
      ],
      Buffer.from('{}x'),
      { rawFraming: true },
    ),
  'Content-Length and chunked': (r) =>
    withBody(
      r,
      [
        ['Content-Type', 'application/json'],
        ['Content-Length', '2'],
        ['Transfer-Encoding', 'chunked'],
      ],
      Buffer.from('2\r\n{}\r\n0\r\n\r\n'),
      { rawFraming: true },
    ),
  'broken chunk size': (r) =>
    withBody(
      r,
      [
        ['Content-Type', 'application/json'],
        ['Transfer-Encoding', 'chunked'],
      ],
      Buffer.from('zz\r\n{}\r\n0\r\n\r\n'),
      { rawFraming: true },
    ),
  'slow chunked body': (r) => {
    const body = json(r);
    return withBody(
      r,
      [
        ['Content-Type', 'application/json'],
        ['Transfer-Encoding', 'chunked'],
      ],
      Buffer.from(`${body.length.toString(16)}\r\n${body.toString()}\r\n0\r\n\r\n`),
      { rawFraming: true, slow: true },
    );
  },
  'two Content-Types': (r) =>
    withBody(
      r,
      [
        ['Content-Type', 'text/csv'],
        ['Content-Type', 'application/json'],
      ],
      json(r),
    ),
  'two Authorizations': (r) => ({
    method: r.method,
    path: r.path,
    headers: [
      ['Authorization', 'Bearer nope'],
      ['Authorization', authFor(r.path)],
    ],
  }),
} satisfies Record<string, Attack>);

const MALFORMED_AUTH = [
  'Basic',
  'Basic ',
  'Basic !!!!',
  `Basic ${Buffer.from(':').toString('base64')}`,
  `Basic ${Buffer.from('\u0000:\u0000').toString('base64')}`,
  `Basic ${Buffer.from('a'.repeat(5000)).toString('base64')}`,
  'Bearer',
  'Bearer ',
  `Bearer ${'x'.repeat(8000)}`,
  'Bearer \u00e9\u00e9',
  'Bearer a b c',
  'Digest username="x"',
  'Token abc',
  'Basic Og==, Bearer x',
  '\t',
];

/** Tracking and unsubscribe links (/t/...) are opened by people in a browser: they answer with a page, not JSON. */
const isPage = (label: string) => / \/t\//.test(label);

/** The bar, for one answer. */
function expectHandled(answer: Answer, label: string): void {
  if (answer.status >= 500)
    throw new Error(`${answer.status} for ${label}\n→ ${answer.body.slice(0, 600)}`);
  if (answer.status < 400 || isPage(label)) return;
  if (!(answer.headers['content-type'] ?? '').startsWith('application/problem+json'))
    throw new Error(
      `${answer.status} without problem+json (${answer.headers['content-type']}) for ${label}\n→ ${answer.body.slice(0, 300)}`,
    );
  const problem = JSON.parse(answer.body) as { detail?: string; errors?: { path?: unknown }[] };
  if (!problem.detail) throw new Error(`${answer.status} without a detail for ${label}`);
  if (
    (answer.status === 400 || answer.status === 422) &&
    !(problem.errors ?? []).some((e) => typeof e.path === 'string' && e.path.length > 0)
  ) {
    throw new Error(`${answer.status} names no field for ${label}\n→ ${answer.body.slice(0, 600)}`);
  }
}

async function expectServing(): Promise<void> {
  expect(api.exited()).toBeUndefined();
  expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
}

describe('transport-level attacks on every route', () => {
  it('covers the whole route table', () => {
    expect(ROUTES.length).toBeGreaterThan(40);
    expect(ROUTES.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/v1/batch', '/v1/track', '/api/v1/imports', '/api/v1/segments']),
    );
  });

  it.each(Object.keys(ATTACKS))(
    '%s: on every route, no 5xx, every 4xx problem+json, and the API keeps serving',
    async (name) => {
      const failures: string[] = [];
      for (const route of ROUTES) {
        const request = ATTACKS[name]!(route);
        try {
          expectHandled(await send(request), `${name} → ${request.method} ${request.path}`);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
      expect(failures).toEqual([]);
      await expectServing();
    },
  );

  it.each(MALFORMED_AUTH.map((a) => [JSON.stringify(a).slice(0, 40), a]))(
    'Authorization %s: on every route, no 5xx, and never let in',
    async (_label, auth) => {
      const failures: string[] = [];
      for (const route of ROUTES) {
        const answer = await send({
          method: route.method,
          path: route.path,
          headers: [['Authorization', auth!]],
        });
        try {
          expectHandled(
            answer,
            `auth ${JSON.stringify(auth).slice(0, 40)} → ${route.method} ${route.path}`,
          );
          // Public routes (health, docs, tracking links, sign-in) answer anything; nothing behind a key may answer 2xx.
          if (
            answer.status < 300 &&
            /^\/(v1|api\/v1)\//.test(route.path) &&
            !/sign-?in|\/t\/|in-app|openapi|password|invit/.test(route.path)
          )
            failures.push(
              `${answer.status} for ${route.method} ${route.path} with a malformed key`,
            );
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
      expect(failures).toEqual([]);
      await expectServing();
    },
  );
});

describe('random combinations', () => {
  it('of route, encoding, damage, content type, charset and credentials: the bar holds and refused requests store nothing', async () => {
    const refused: string[] = [];
    const ingestion = ROUTES.filter((r) => r.path.startsWith('/v1/') && r.method === 'POST');
    const route = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...ingestion) },
      { weight: 1, arbitrary: fc.constantFrom(...ROUTES) },
    );
    const encoding = fc.constantFrom<Encoding | 'identity' | 'GZIP' | 'x-gzip' | ''>(
      'identity',
      'gzip',
      'deflate',
      'br',
      'GZIP',
      'x-gzip',
      '',
    );
    const damage = fc.constantFrom('none', 'none', 'truncate', 'flip', 'append-garbage');
    const type = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'application/json; charset=utf-8',
      'application/json; charset=iso-8859-1',
      'text/csv',
      '',
      'application/x-ndjson',
    );
    const auth = fc.oneof(
      { weight: 4, arbitrary: fc.constant('valid') },
      { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_AUTH) },
    );
    await fc.assert(
      fc.asyncProperty(
        route,
        encoding,
        damage,
        type,
        auth,
        fc.boolean(),
        async (r, enc, dmg, ct, a, slow) => {
          const { json: text, messageIds } = eventBody(r.path);
          const plain = Buffer.from(text);
          let body =
            enc === 'identity' || enc === ''
              ? plain
              : compressors[
                  (enc.toLowerCase() === 'x-gzip' ? 'gzip' : enc.toLowerCase()) as Encoding
                ](plain);
          if (dmg === 'truncate')
            body = body.subarray(0, Math.max(1, Math.floor(body.length * 0.6)));
          if (dmg === 'flip')
            body = Buffer.from(body.map((b, i) => (i > 3 && i % 5 === 0 ? b ^ 0x55 : b)));
          if (dmg === 'append-garbage') body = Buffer.concat([body, Buffer.from('\u0000garbage')]);
          const headers: [string, string][] = [
            ['Authorization', a === 'valid' ? authFor(r.path) : a],
          ];
          if (ct) headers.push(['Content-Type', ct]);
          if (enc) headers.push(['Content-Encoding', enc]);
          const answer = await send({
            method: r.method === 'GET' ? 'POST' : r.method,
            path: r.path,
            headers,
            body,
            slow: slow && body.length > 12,
          });
          expectHandled(
            answer,
            `${r.method} ${r.path} enc=${enc} damage=${dmg} type=${ct} auth=${a.slice(0, 20)}`,
          );
          if (answer.status >= 400) refused.push(...messageIds);
        },
      ),
      { numRuns: RUNS },
    );
    await expectServing();
    // Stores nothing from a refused request.
    const stored = await eventModel(api.db.connection).countDocuments({
      workspaceId: keys.workspace._id,
      messageId: { $in: refused },
    });
    expect({ refused: refused.length > 0, stored }).toEqual({ refused: true, stored: 0 });
  });
});
