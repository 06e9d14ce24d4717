import { request } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { startApiProcess, type ApiProcess } from './api-process';

/**
 * One bad request must never stop the API: damaged compressed bodies and uploads cut short are answered
 * with a problem+json 4xx naming what was wrong, and the process goes on serving. The API runs as its own
 * process (as `npm start` runs it), so a crash shows as an exit rather than as a jest error.
 */

jest.setTimeout(120_000);

let api: ApiProcess;
let keys: { writeKey: string; adminKey: string };

beforeAll(async () => {
  api = await startApiProcess();
  keys = await api.workspace();
});
afterAll(async () => api?.stop());

const compress = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync } as const;
type Encoding = keyof typeof compress;

/** Bytes that announce `encoding` but do not decompress: cut short, or with their middle overwritten. */
function damaged(encoding: Encoding, how: 'truncated' | 'corrupt', text: string): Buffer {
  const whole = compress[encoding](Buffer.from(text));
  if (how === 'truncated') return whole.subarray(0, Math.floor(whole.length / 2));
  const out = Buffer.from(whole);
  for (let i = Math.floor(out.length / 3); i < out.length; i += 3) out[i] = (out[i]! ^ 0x5a) & 0xff;
  return out;
}

const events = Array.from({ length: 40 }, (_, i) => ({
  type: 'track',
  userId: `br-${i}`,
  event: 'Damaged Upload',
  messageId: `dmg-${i}`,
  properties: { i },
}));
const ROUTES = [
  {
    path: '/api/v1/imports',
    type: 'application/x-ndjson',
    auth: () => `Bearer ${keys.adminKey}`,
    body: events.map((e) => JSON.stringify(e)).join('\n'),
  },
  {
    path: '/api/v1/imports',
    type: 'text/csv',
    auth: () => `Bearer ${keys.adminKey}`,
    body:
      'userId,type,event,messageId\n' +
      events.map((e) => `${e.userId},track,Damaged Upload,${e.messageId}`).join('\n'),
  },
  {
    path: '/v1/batch',
    type: 'application/json',
    auth: () => basic(),
    body: JSON.stringify({ batch: events }),
  },
  {
    path: '/v1/track',
    type: 'application/json',
    auth: () => basic(),
    body: JSON.stringify(events[0]),
  },
  {
    path: '/v1/identify',
    type: 'application/json',
    auth: () => basic(),
    body: JSON.stringify({ userId: 'br-id', traits: { plan: 'pro' } }),
  },
];
const basic = () => `Basic ${Buffer.from(`${keys.writeKey}:`).toString('base64')}`;

async function expectServing(): Promise<void> {
  expect(api.exited()).toBeUndefined();
  expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
}

const cases = ROUTES.flatMap((route) =>
  (['gzip', 'deflate', 'br'] as const).flatMap((encoding) =>
    (['truncated', 'corrupt'] as const).map((how) => ({ ...route, encoding, how })),
  ),
);

describe('a damaged compressed body', () => {
  it.each(cases)(
    '$path ($type) with a $how $encoding body gets a 400 naming the body, and the API keeps serving',
    async ({ path, type, auth, body, encoding, how }) => {
      const res = await fetch(api.url + path, {
        method: 'POST',
        headers: { authorization: auth(), 'content-type': type, 'content-encoding': encoding },
        body: damaged(encoding, how, body),
      });
      const text = await res.text();
      expect({
        status: res.status,
        type: res.headers.get('content-type'),
        exited: api.exited(),
      }).toEqual({
        status: 400,
        type: expect.stringMatching(/^application\/problem\+json/),
        exited: undefined,
      });
      const problem = JSON.parse(text) as {
        detail: string;
        errors: { path: string; message: string }[];
      };
      expect(problem.detail).toMatch(new RegExp(`${encoding}`, 'i'));
      expect(problem.errors[0]).toEqual({
        path: '(body)',
        message: expect.stringMatching(new RegExp(`not valid ${encoding}`, 'i')),
      });
      await expectServing();
    },
  );

  it('stores nothing from a refused upload', async () => {
    const res = await fetch(`${api.url}/api/v1/contacts/br-3`, {
      headers: { authorization: `Bearer ${keys.adminKey}` },
    });
    expect(res.status).toBe(404);
  });
});

describe('an upload cut off by the client', () => {
  it.each(['/api/v1/imports', '/v1/batch'])(
    '%s: the client hangs up mid-body and the API keeps serving',
    async (path) => {
      const body = gzipSync(Buffer.from(events.map((e) => JSON.stringify(e)).join('\n')));
      await new Promise<void>((resolve) => {
        const req = request(api.url + path, {
          method: 'POST',
          headers: {
            authorization: path.startsWith('/api') ? `Bearer ${keys.adminKey}` : basic(),
            'content-type': path.startsWith('/api') ? 'application/x-ndjson' : 'application/json',
            'content-encoding': 'gzip',
            'content-length': String(body.length * 4),
          },
        });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.write(body.subarray(0, Math.floor(body.length / 2)));
        setTimeout(() => req.destroy(), 300);
      });
      await new Promise((r) => setTimeout(r, 300));
      await expectServing();
    },
  );
});

describe('after all of the above', () => {
  it('the same API still imports and ingests', async () => {
    const good = gzipSync(Buffer.from(events.map((e) => JSON.stringify(e)).join('\n')));
    const res = await fetch(`${api.url}/api/v1/imports`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${keys.adminKey}`,
        'content-type': 'application/x-ndjson',
        'content-encoding': 'gzip',
      },
      body: good,
    });
    expect(res.status).toBe(200);
    const done = JSON.parse((await res.text()).trim().split('\n').pop()!) as {
      type: string;
      accepted: number;
    };
    expect(done).toMatchObject({ type: 'done', accepted: events.length });
    await expectServing();
  });
});
