import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { publishJourney, runsOf, twoEmailJourney, useDrill } from '../src/drill';
import { eventually, sleep } from '../src/processes';

const CONTACTS = Number(process.env.FAULTS_HOSTILE_CONTACTS ?? 30);
const HOSTILE_SECONDS = Number(process.env.FAULTS_HOSTILE_SECONDS ?? 20);
const PING = 'Drill Ping';

/** The API's answer to raw bytes (status only); the server closes after it. */
function rawStatus(port: number, bytes: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    socket.on('data', (c: Buffer) => (head += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(head.split(' ')[1] ?? 0)));
    socket.end(bytes);
  });
}

describe('hostile input while journeys run', () => {
  const drill = useDrill('hostile-input');

  it(`the fuzz corpus, sent for ${HOSTILE_SECONDS}s beside live traffic, stops no process, disturbs no journey run and loses no acknowledged event`, async () => {
    const journeyId = await publishJourney(
      drill,
      twoEmailJourney('Drill Started', 'Hostile drill'),
    );
    const contacts = Array.from({ length: CONTACTS }, (_, i) => `hostile-${i}`);
    const t0 = Date.now();
    const started = await drill.ingest('/v1/batch', {
      batch: contacts.flatMap((id) => [
        {
          type: 'identify',
          userId: id,
          traits: { email: `${id}@drill.test` },
          messageId: `identify-${id}`,
          timestamp: new Date(t0).toISOString(),
        },
        {
          type: 'track',
          userId: id,
          event: 'Drill Started',
          messageId: `start-${id}`,
          timestamp: new Date(t0 + 1).toISOString(),
        },
      ]),
    });
    expect(started.status).toBe(200);
    const apiPid = drill.api.child?.pid;
    const workerPid = drill.worker.child?.pid;

    const port = Number(new URL(drill.apiUrl).port);
    const basic = `Basic ${Buffer.from(`${drill.writeKey}:`).toString('base64')}`;
    const event = (i: number) =>
      JSON.stringify({
        type: 'track',
        userId: `hostile-${i % CONTACTS}`,
        event: 'Hostile',
        properties: { i },
      });
    const cut = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 32));
    // Each answers a status; a 5xx or a dropped connection is recorded against the API.
    const corpus: [string, (i: number) => Promise<number>][] = [
      [
        'gzip cut short → imports',
        (i) =>
          post('/api/v1/imports', cut(gzipSync(event(i))), 'application/x-ndjson', 'gzip', true),
      ],
      [
        'gzip cut short → csv import',
        () =>
          post(
            '/api/v1/imports',
            cut(gzipSync('userId,event\nh,x\n'.repeat(50))),
            'text/csv',
            'gzip',
            true,
          ),
      ],
      [
        'br corrupt → batch',
        (i) =>
          post(
            '/v1/batch',
            Buffer.from(
              brotliCompressSync(`{"batch":[${event(i)}]}`).map((b, j) => (j % 3 ? b : b ^ 0x5a)),
            ),
            'application/json',
            'br',
          ),
      ],
      [
        'deflate cut short → track',
        (i) => post('/v1/track', cut(deflateSync(event(i))), 'application/json', 'deflate'),
      ],
      ['gzip bomb → batch', () => post('/v1/batch', bomb, 'application/json', 'gzip')],
      [
        '__proto__ and toString products',
        (i) =>
          post(
            '/v1/batch',
            Buffer.from(
              `{"batch":[{"type":"track","userId":"hostile-${i % CONTACTS}","event":"Order Completed","properties":{"revenue":5,"products":[{"product_id":"__proto__","category":"toString"}]}},{"type":"track","userId":"hostile-${i % CONTACTS}","event":"toString"}]}`,
            ),
            'application/json',
          ),
      ],
      [
        '1e309',
        (i) =>
          post(
            '/v1/track',
            Buffer.from(
              `{"userId":"hostile-${i % CONTACTS}","event":"X","properties":{"revenue":1e309}}`,
            ),
            'application/json',
          ),
      ],
      [
        '__proto__ key',
        (i) =>
          post(
            '/v1/identify',
            Buffer.from(
              `{"userId":"hostile-${i % CONTACTS}","traits":{"__proto__":{"admin":true}}}`,
            ),
            'application/json',
          ),
      ],
      [
        'form-encoded gzip JSON',
        (i) =>
          post(
            '/v1/batch',
            gzipSync(`{"batch":[${event(i)}]}`),
            'application/x-www-form-urlencoded',
            'gzip',
          ),
      ],
      [
        'oversized header',
        () =>
          rawStatus(
            port,
            Buffer.from(
              `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
            ),
          ),
      ],
      [
        'two Content-Lengths',
        () =>
          rawStatus(
            port,
            Buffer.from(
              `POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic}\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}x`,
            ),
          ),
      ],
      [
        'malformed key',
        () =>
          fetch(`${drill.apiUrl}/v1/track`, {
            method: 'POST',
            headers: { authorization: 'Basic !!!!' },
            body: '{}',
          }).then((r) => r.status),
      ],
    ];
    async function post(
      path: string,
      body: Buffer,
      type: string,
      encoding?: string,
      admin = false,
    ): Promise<number> {
      const res = await fetch(`${drill.apiUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: admin ? `Bearer ${drill.adminKey}` : basic,
          'content-type': type,
          ...(encoding ? { 'content-encoding': encoding } : {}),
        },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      await res.text();
      return res.status;
    }

    const failures: string[] = [];
    const acked: string[] = [];
    let sending = true;
    let n = 0;
    const hostile = (async () => {
      while (sending) {
        const [name, send] = corpus[n % corpus.length]!;
        const i = n++;
        const status = await send(i).catch(() => -1);
        if (status >= 500 || status <= 0)
          failures.push(`${name}: ${status <= 0 ? 'no answer' : status}`);
      }
    })();
    // Live traffic beside it: every batch that got a 200 must be stored.
    const live = (async () => {
      for (let seq = 0; sending; seq++) {
        const batch = contacts.slice(0, 10).map((userId, i) => ({
          type: 'track',
          userId,
          event: PING,
          messageId: `ping-${seq}-${i}`,
        }));
        const res = await drill.ingest('/v1/batch', { batch }).catch(() => undefined);
        if (res?.status === 200) acked.push(...batch.map((e) => e.messageId));
        await res?.text();
        await sleep(200);
      }
    })();
    await sleep(HOSTILE_SECONDS * 1000);
    sending = false;
    await Promise.all([hostile, live]);

    expect(failures).toEqual([]);
    expect(n).toBeGreaterThan(corpus.length);
    // The same processes as before: nothing exited and nothing was restarted.
    expect({
      api: drill.api.running,
      worker: drill.worker.running,
      apiPid: drill.api.child?.pid,
      workerPid: drill.worker.child?.pid,
    }).toEqual({ api: true, worker: true, apiPid, workerPid });

    const stored = new Set(
      (
        await drill.db
          .collection('events')
          .find({ workspaceId: drill.workspaceId, event: PING }, { projection: { messageId: 1 } })
          .toArray()
      ).map((d) => d.messageId as string),
    );
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);

    // Every run goes on undisturbed: both emails, one finished run per contact.
    const wanted = contacts.flatMap((c) => [1, 2].map((k) => `${c}@drill.test|Hostile drill ${k}`));
    await eventually(
      `all ${wanted.length} emails and ${CONTACTS} finished runs`,
      async () => {
        const counts = drill.sink.counts();
        if (!wanted.every((k) => counts.has(k))) return false;
        const runs = await runsOf(drill, journeyId, contacts);
        return contacts.every(
          (c) =>
            runs.get(c)?.length === 1 &&
            ['completed', 'exited'].includes(runs.get(c)?.[0]?.status ?? ''),
        );
      },
      4 * 60_000,
      2_000,
    );
    // The first poisoned request went out as item `poisonIndex` of the first round.
    const poisonIndex = corpus.findIndex(([name]) => name.startsWith('__proto__ and toString'));
    // The poisoned contacts still fold: their profiles count the Order Completed events with finite figures.
    const poisoned = await drill.admin(`/contacts/hostile-${poisonIndex % CONTACTS}`);
    expect(poisoned.status).toBe(200);
    expect(poisoned.body.profile.purchases.totalRevenue).toBeGreaterThan(0);
    expect(
      Object.getOwnPropertyDescriptor(poisoned.body.profile.purchases.products, '__proto__')?.value
        ?.orderCount,
    ).toBeGreaterThan(0);
  });
});
