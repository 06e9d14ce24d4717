import { useDrill } from '../src/drill';
import { eventually, sleep, whileProgressing } from '../src/processes';

const KILLS = Number(process.env.FAULTS_API_KILLS ?? 6);
const CONTACTS = 20;
const BATCH = 20;
const EVENT = 'Drill Ping';

interface SentBatch {
  events: { userId: string; messageId: string }[];
  acknowledged: boolean;
}

describe('kill -9 the API during a sustained ingest', () => {
  // The worker finishes folds a killed ingest left half done.
  const drill = useDrill('api-kill');

  const contactIds = Array.from({ length: CONTACTS }, (_, i) => `ingest-${i}`);
  const batchOf = (seq: number) =>
    Array.from({ length: BATCH }, (_, i) => ({
      type: 'track',
      userId: contactIds[(seq * BATCH + i) % CONTACTS] as string,
      event: EVENT,
      messageId: `ping-${seq}-${i}`,
      properties: { seq },
    }));

  const send = async (batch: ReturnType<typeof batchOf>) => {
    try {
      const res = await drill.ingest('/v1/batch', { batch });
      await res.text();
      return res.status === 200;
    } catch {
      return false; // connection refused or reset: the API is down
    }
  };

  async function pingCounts(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const id of contactIds) {
      const res = await drill.admin(`/contacts/${id}`);
      out.set(id, res.status === 200 ? (res.body.profile.events?.[EVENT]?.count ?? 0) : 0);
    }
    return out;
  }

  async function storedIds(): Promise<Set<string>> {
    const docs = await drill.db
      .collection('events')
      .find({ workspaceId: drill.workspaceId, event: EVENT }, { projection: { messageId: 1 } })
      .toArray();
    return new Set(docs.map((d) => d.messageId as string));
  }

  it(`every acknowledged event is stored and folded exactly once across ${KILLS} kills, and retries of the rest do not double count`, async () => {
    const sent: SentBatch[] = [];
    let seq = 0;
    let sending = true;
    // Two clients, each posting batches back to back.
    const senders = [0, 1].map(async () => {
      while (sending) {
        const batch = batchOf(seq++);
        const acknowledged = await send(batch);
        sent.push({ events: batch, acknowledged });
        // A client backs off while the API is away, as Segment libraries do.
        if (!acknowledged) await sleep(1_000);
      }
    });

    for (let round = 0; round < KILLS; round++) {
      await sleep(1_000 + Math.floor(Math.random() * 3_000));
      await drill.api.kill9();
      drill.api.start();
      await drill.apiUp();
    }
    await sleep(2_000);
    sending = false;
    await Promise.all(senders);

    const acked = sent.filter((b) => b.acknowledged).flatMap((b) => b.events);
    const unacked = sent.filter((b) => !b.acknowledged).flatMap((b) => b.events);
    expect(drill.api.kills).toBe(KILLS);
    expect(acked.length).toBeGreaterThan(0);
    // The kills must have cut some requests, or the drill proved nothing.
    expect(unacked.length).toBeGreaterThan(0);

    // Every acknowledged event is stored...
    const stored = await storedIds();
    expect(acked.filter((e) => !stored.has(e.messageId)).map((e) => e.messageId)).toEqual([]);

    // ...and, once interrupted folds are finished, every stored event is in its profile exactly once.
    const storedPerContact = async () => {
      const ids = await storedIds();
      const perContact = new Map(contactIds.map((c) => [c, 0]));
      for (const e of [...acked, ...unacked])
        if (ids.has(e.messageId)) perContact.set(e.userId, (perContact.get(e.userId) ?? 0) + 1);
      return perContact;
    };
    const expected = await storedPerContact();
    // Folding catches up at the machine's pace: wait while the profiles keep counting, not for a fixed time.
    const foldedSoFar = async () => [...(await pingCounts()).values()].reduce((a, b) => a + b, 0);
    await whileProgressing(
      'profiles to count every stored event once',
      async () => {
        const counts = await pingCounts();
        return contactIds.every((c) => counts.get(c) === expected.get(c));
      },
      foldedSoFar,
      60_000,
      600_000,
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}\nexpected ${JSON.stringify([...expected])}\ngot ${JSON.stringify([...(await pingCounts())])}`,
      );
    });
    const ackedPerContact = new Map(contactIds.map((c) => [c, 0]));
    for (const e of acked) ackedPerContact.set(e.userId, (ackedPerContact.get(e.userId) ?? 0) + 1);
    const counts = await pingCounts();
    for (const c of contactIds)
      expect(counts.get(c)).toBeGreaterThanOrEqual(ackedPerContact.get(c) ?? 0);

    // A client retries what got no 200, with the same messageIds: each event now counts exactly once.
    for (const batch of sent.filter((b) => !b.acknowledged)) {
      const res = await drill.ingest('/v1/batch', {
        batch: batch.events.map((e) => ({ type: 'track', event: EVENT, ...e })),
      });
      expect(res.status).toBe(200);
    }
    const total = new Map(contactIds.map((c) => [c, 0]));
    for (const e of [...acked, ...unacked]) total.set(e.userId, (total.get(e.userId) ?? 0) + 1);
    // The answers come once the retries are appended; their folds follow within moments.
    await eventually(
      'the retried events to be folded',
      async () => JSON.stringify([...(await pingCounts())]) === JSON.stringify([...total]),
      30_000,
      500,
    ).catch(() => undefined);
    expect(await pingCounts()).toEqual(total);
    expect((await storedIds()).size).toBe(acked.length + unacked.length);
    console.log(
      `api-kill: ${KILLS} kills, ${acked.length} events acknowledged, ${unacked.length} cut off (${expected.size && [...expected.values()].reduce((a, b) => a + b, 0) - acked.length} of those stored anyway), all retried`,
    );
  });
});
