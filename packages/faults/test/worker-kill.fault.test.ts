import { publishJourney, runsOf, startDrill, twoEmailJourney, type Drill } from '../src/drill';
import { eventually, sleep } from '../src/processes';

const CONTACTS = Number(process.env.FAULTS_CONTACTS ?? 200);
const KILLS = Number(process.env.FAULTS_WORKER_KILLS ?? 8);

/** Random integer in [min, max]. */
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

describe('kill -9 the worker mid-journey', () => {
  let drill: Drill;

  beforeAll(async () => {
    drill = await startDrill('worker-kill');
    drill.api.start();
    drill.worker.start();
    await drill.apiUp();
  }, 180_000);

  afterAll(async () => {
    await drill?.stop();
  });

  it(`${CONTACTS} contacts each get both emails exactly once while the worker is killed ${KILLS} times`, async () => {
    const journeyId = await publishJourney(drill, twoEmailJourney('Drill Started', 'Drill step'));
    const contacts = Array.from({ length: CONTACTS }, (_, i) => `drill-${i}`);
    const t0 = Date.now();
    for (let i = 0; i < contacts.length; i += 50) {
      const batch = contacts.slice(i, i + 50).flatMap((id) => [
        { type: 'identify', userId: id, traits: { email: `${id}@drill.test` }, messageId: `identify-${id}`, timestamp: new Date(t0).toISOString() },
        { type: 'track', userId: id, event: 'Drill Started', messageId: `start-${id}`, timestamp: new Date(t0 + 1).toISOString() },
      ]);
      const res = await drill.ingest('/v1/batch', { batch });
      expect(res.status).toBe(200);
    }

    // Kills at random moments across both emails and the one-minute wait between them.
    const log: string[] = [];
    for (let round = 0; round < KILLS; round++) {
      await sleep(between(3_000, 12_000));
      await drill.worker.kill9();
      log.push(`${((Date.now() - t0) / 1000).toFixed(1)}s: killed (${drill.sink.received.length} emails so far)`);
      await sleep(between(200, 3_000));
      drill.worker.start();
    }
    expect(drill.worker.kills).toBe(KILLS);

    const expected = CONTACTS * 2;
    await eventually(
      `${expected} emails and ${CONTACTS} finished runs`,
      async () => {
        if (drill.sink.received.length < expected) return false;
        const runs = await runsOf(drill, journeyId, contacts);
        return contacts.every((c) => runs.get(c)?.length === 1 && ['completed', 'exited'].includes(runs.get(c)?.[0]?.status ?? ''));
      },
      6 * 60_000,
      2_000,
    ).catch(async (error: Error) => {
      const counts = drill.sink.counts();
      const missing = contacts.flatMap((c) => [1, 2].map((n) => `${c}@drill.test|Drill step ${n}`)).filter((k) => !counts.has(k));
      const doubled = [...counts].filter(([, n]) => n !== 1);
      const runs = await runsOf(drill, journeyId, contacts);
      const unfinished = contacts.filter((c) => !['completed', 'exited'].includes(runs.get(c)?.[0]?.status ?? '')).map((c) => `${c}: ${JSON.stringify(runs.get(c))}`);
      throw new Error(
        `${error.message}; got ${drill.sink.received.length} emails.\nmissing: ${missing.join(', ')}\ndoubled: ${JSON.stringify(doubled)}\nunfinished: ${unfinished.slice(0, 5).join('\n')}\nkills:\n${log.join('\n')}`,
      );
    });
    // Late duplicates (a retried send after a kill) would arrive now.
    await sleep(5_000);

    const counts = drill.sink.counts();
    const doubled = [...counts].filter(([, n]) => n !== 1);
    expect(doubled).toEqual([]);
    for (const c of contacts) {
      expect(counts.get(`${c}@drill.test|Drill step 1`)).toBe(1);
      expect(counts.get(`${c}@drill.test|Drill step 2`)).toBe(1);
    }
    expect(drill.sink.received).toHaveLength(expected);
    console.log(`worker-kill: ${KILLS} kills in ${((Date.now() - t0) / 1000).toFixed(0)}s\n${log.join('\n')}`);
  });
});
