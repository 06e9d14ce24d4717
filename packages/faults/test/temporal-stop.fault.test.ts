import { publishJourney, runsOf, useDrill } from '../src/drill';
import { eventually, sleep } from '../src/processes';

const DOWN_SECONDS = Number(process.env.FAULTS_TEMPORAL_DOWN_SECONDS ?? 60);

/** trigger → one email → exit: one email per contact means exactly one run per contact. */
const welcome = {
  name: 'Fault drill: welcome',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Drill Enrolled' } },
    {
      id: 'welcome',
      kind: 'action',
      action: { type: 'email', version: 1 },
      config: { subject: 'Drill welcome', html: '<p>Welcome.</p>' },
    },
    { id: 'exit', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'welcome' },
    { id: 'e2', source: 'welcome', sourceHandle: 'sent', target: 'exit' },
    { id: 'e3', source: 'welcome', sourceHandle: 'skipped', target: 'exit' },
  ],
};

describe('stop Temporal under ingest', () => {
  const drill = useDrill('temporal-stop');

  it(`keeps accepting events while Temporal is down for ${DOWN_SECONDS}s; afterwards every triggered contact runs the journey exactly once`, async () => {
    const journeyId = await publishJourney(drill, welcome);
    const enrol = async (ids: string[]) => {
      const at = Date.now();
      const batch = ids.flatMap((id) => [
        {
          type: 'identify',
          userId: id,
          traits: { email: `${id}@drill.test` },
          messageId: `identify-${id}`,
          timestamp: new Date(at).toISOString(),
        },
        {
          type: 'track',
          userId: id,
          event: 'Drill Enrolled',
          messageId: `enrolled-${id}`,
          timestamp: new Date(at + 1).toISOString(),
        },
      ]);
      const res = await drill.ingest('/v1/batch', { batch });
      return res.status;
    };

    // Before the outage: the path works end to end.
    const before = ['before-0', 'before-1'];
    expect(await enrol(before)).toBe(200);
    await eventually(
      'the first welcome emails',
      async () => drill.sink.received.length >= before.length,
      120_000,
    );

    await drill.temporal.stop();
    const during: string[] = [];
    const statuses: number[] = [];
    const downUntil = Date.now() + DOWN_SECONDS * 1000;
    let readyz: { status: number; body: { checks?: Record<string, string> } } | undefined;
    for (let round = 0; Date.now() < downUntil; round++) {
      const ids = Array.from({ length: 5 }, (_, i) => `during-${round}-${i}`);
      statuses.push(await enrol(ids));
      during.push(...ids);
      if (!readyz) {
        const res = await fetch(`${drill.apiUrl}/readyz`);
        readyz = {
          status: res.status,
          body: (await res.json()) as { checks?: Record<string, string> },
        };
      }
      await sleep(2_000);
    }
    // Ingestion never depended on Temporal.
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(readyz).toMatchObject({
      status: 503,
      body: { checks: { mongodb: 'up', temporal: 'down' } },
    });
    expect(drill.worker.running).toBe(true);

    await drill.temporal.start();
    const after = ['after-0', 'after-1'];
    expect(await enrol(after)).toBe(200);
    const everyone = [...before, ...during, ...after];
    await eventually(
      `${everyone.length} welcome emails and finished runs`,
      async () => {
        if (drill.sink.received.length < everyone.length) return false;
        const runs = await runsOf(drill, journeyId, everyone);
        return everyone.every(
          (c) =>
            runs.get(c)?.length === 1 &&
            ['completed', 'exited'].includes(runs.get(c)?.[0]?.status ?? ''),
        );
      },
      5 * 60_000,
      2_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; got ${drill.sink.received.length} emails, worker ${drill.worker.running ? 'running' : 'exited'}\n--- worker log ---\n${drill.worker.logTail()}`,
      );
    });
    await sleep(3_000);
    const counts = drill.sink.counts();
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
    for (const c of everyone) expect(counts.get(`${c}@drill.test|Drill welcome`)).toBe(1);
    expect(drill.sink.received).toHaveLength(everyone.length);
    // The outbox is drained: nothing is left waiting for a retry.
    expect(await drill.db.collection('journey_triggers').countDocuments({})).toBe(0);
    console.log(
      `temporal-stop: ${during.length} contacts enrolled while Temporal was down ${DOWN_SECONDS}s`,
    );
  });
});
