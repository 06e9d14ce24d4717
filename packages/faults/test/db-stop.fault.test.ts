import { useDrill } from '../src/drill';
import { eventually, sleep } from '../src/processes';

const DOWN_SECONDS = Number(process.env.FAULTS_DB_DOWN_SECONDS ?? 30);
/** No request may hang: the API answers within this while the database is away. */
const ANSWER_WITHIN_MS = 15_000;
const EVENT = 'Drill Beat';

interface Answer {
  status: number;
  contentType: string;
  retryAfter: string | null;
  ms: number;
}

describe('stop the database', () => {
  const drill = useDrill('db-stop');

  const batchOf = (tag: string) =>
    [0, 1, 2].map((i) => ({
      type: 'track',
      userId: `beat-${i}`,
      event: EVENT,
      messageId: `${tag}-${i}`,
    }));

  /** The answer and how long it took; status 0 when no answer came (a hang cut by the timeout, a reset). */
  async function timed(request: () => Promise<Response>): Promise<Answer> {
    const started = Date.now();
    try {
      const res = await request();
      await res.text();
      return {
        status: res.status,
        contentType: res.headers.get('content-type') ?? '',
        retryAfter: res.headers.get('retry-after'),
        ms: Date.now() - started,
      };
    } catch (error) {
      return { status: 0, contentType: String(error), retryAfter: null, ms: Date.now() - started };
    }
  }

  async function beatCount(contactId: string): Promise<number> {
    const res = await drill.admin(`/contacts/${contactId}`);
    return res.status === 200 ? (res.body.profile.events?.[EVENT]?.count ?? 0) : 0;
  }

  it(`answers 503 problem+json with Retry-After while the database is down ${DOWN_SECONDS}s, writes nothing partial, and recovers by itself`, async () => {
    const accepted: string[] = ['before'];
    expect(
      (await timed(() => drill.ingest('/v1/batch', { batch: batchOf('before') }))).status,
    ).toBe(200);
    // Folding runs just behind the answer.
    await eventually(
      'the first beat to be folded',
      async () => (await drill.admin('/contacts/beat-0')).status === 200,
      30_000,
      250,
    );

    const stoppedAt = Date.now();
    await drill.ferretdb.stop();
    console.log(`ferretdb stopped in ${Date.now() - stoppedAt} ms`);
    const refused: string[] = [];
    const ingestAnswers: Answer[] = [];
    const managementAnswers: Answer[] = [];
    const readyAnswers: Answer[] = [];
    const downUntil = Date.now() + DOWN_SECONDS * 1000;
    for (let round = 0; Date.now() < downUntil; round++) {
      const tag = `down-${round}`;
      const [ingest, management, ready] = await Promise.all([
        timed(() => drill.ingest('/v1/batch', { batch: batchOf(tag) })),
        timed(() =>
          fetch(`${drill.apiUrl}/api/v1/contacts/beat-0`, {
            headers: { authorization: `Bearer ${drill.adminKey}` },
            signal: AbortSignal.timeout(30_000),
          }),
        ),
        timed(() => fetch(`${drill.apiUrl}/readyz`, { signal: AbortSignal.timeout(30_000) })),
      ]);
      console.log(
        `round ${round} at ${Date.now() - stoppedAt} ms: ingest ${ingest.status} ${ingest.ms} ms, management ${management.status} ${management.ms} ms, readyz ${ready.status} ${ready.ms} ms`,
      );
      (ingest.status === 200 ? accepted : refused).push(tag);
      ingestAnswers.push(ingest);
      managementAnswers.push(management);
      readyAnswers.push(ready);
      await sleep(1_000);
    }
    const wrong = (answers: Answer[]) =>
      answers.filter(
        (a) =>
          a.status !== 503 ||
          !a.contentType.includes('application/problem+json') ||
          !a.retryAfter ||
          a.ms > ANSWER_WITHIN_MS,
      );
    expect(ingestAnswers.length).toBeGreaterThan(2);
    expect(wrong(ingestAnswers)).toEqual([]);
    expect(wrong(managementAnswers)).toEqual([]);
    expect(wrong(readyAnswers)).toEqual([]);

    await drill.ferretdb.start();
    // Recovers by itself: the same API process answers 200 again, no restart.
    const pid = drill.api.child?.pid;
    await eventually(
      'ingestion to answer 200 again',
      async () =>
        (await timed(() => drill.ingest('/v1/batch', { batch: batchOf('after') }))).status === 200,
      60_000,
      1_000,
    );
    accepted.push('after');
    await eventually(
      '/readyz to say ready',
      async () => (await fetch(`${drill.apiUrl}/readyz`)).status === 200,
      60_000,
      1_000,
    );
    expect(drill.api.child?.pid).toBe(pid);
    expect(drill.api.kills).toBe(0);

    // Nothing refused was half applied: only acknowledged events are in the profile (once folded: a fold the
    // outage interrupted is finished by the worker's sweeper)...
    const counts = async () => Promise.all([0, 1, 2].map((i) => beatCount(`beat-${i}`)));
    await eventually(
      'every acknowledged beat to be folded',
      async () => (await counts()).every((n) => n >= accepted.length),
      90_000,
      1_000,
    ).catch(() => undefined);
    for (const i of [0, 1, 2]) expect(await beatCount(`beat-${i}`)).toBe(accepted.length);
    const stored = await drill.db
      .collection('events')
      .countDocuments({ workspaceId: drill.workspaceId, event: EVENT });
    expect(stored).toBe(accepted.length * 3);
    // ...and a client retrying the refused batches with the same messageIds counts each exactly once.
    for (const tag of refused)
      expect((await drill.ingest('/v1/batch', { batch: batchOf(tag) })).status).toBe(200);
    for (const tag of refused)
      expect((await drill.ingest('/v1/batch', { batch: batchOf(tag) })).status).toBe(200);
    await eventually(
      'the retried beats to be folded',
      async () => (await counts()).every((n) => n >= accepted.length + refused.length),
      60_000,
      500,
    ).catch(() => undefined);
    for (const i of [0, 1, 2])
      expect(await beatCount(`beat-${i}`)).toBe(accepted.length + refused.length);
    const slowest = Math.max(...ingestAnswers.map((a) => a.ms));
    console.log(
      `db-stop: ${refused.length} batches refused with 503 during ${DOWN_SECONDS}s (slowest answer ${slowest} ms)`,
    );
  });
});
