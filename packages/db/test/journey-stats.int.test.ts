import { JourneyDefinitionSchema } from '@cairn/core';
import {
  applyJourneyProgress,
  connectDatabase,
  createJourney,
  journeyStats,
  journeyTotals,
  publishJourneyDraft,
  reserveEnrollment,
  syncIndexes,
  type Database,
} from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_stats';
const CONTACTS = 120;

function definition(enrollmentLimit?: number) {
  return JourneyDefinitionSchema.parse({
    name: 'Counting',
    settings: {
      reentry: { policy: 'never' },
      exitOnSegmentExit: false,
      holdoutPercent: 0,
      ...(enrollmentLimit !== undefined ? { enrollmentLimit } : {}),
    },
    nodes: [
      { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Signed Up' } },
      { id: 'wait', kind: 'delay', duration: { amount: 3, unit: 'days' } },
      { id: 'exit', kind: 'exit' },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
      { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'exit' },
    ],
  });
}

async function published(
  db: Awaited<ReturnType<typeof testDatabase>>,
  journeyId: string,
  enrollmentLimit?: number,
) {
  await createJourney(db.connection, WS, {
    journeyId,
    name: journeyId,
    definition: definition(enrollmentLimit),
  });
  const outcome = await publishJourneyDraft(db.connection, WS, journeyId, {
    check: async () => [],
  });
  expect(outcome).toEqual({ ok: true, version: 1 });
}

const enrol = (db: Pick<Database, 'connection'>, journeyId: string, contactId: string, now: Date) =>
  reserveEnrollment(db.connection, {
    workspaceId: WS,
    journeyId,
    contactId,
    slot: journeyId,
    workflowId: `wf-${journeyId}-${contactId}`,
    enrolledBy: `signup-${contactId}`,
    now,
  });

describe('journey counters under concurrent steps', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('jstats');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  it(`counts ${CONTACTS} enrolments and waits that happen at the same moment, none lost`, async () => {
    await published(db, 'burst');
    const now = new Date('2026-11-29T10:00:00Z');
    const contacts = Array.from({ length: CONTACTS }, (_, i) => `c${i}`);
    const reservations = await Promise.all(contacts.map((c) => enrol(db, 'burst', c, now)));
    expect(reservations.filter((r) => r.enroll).length).toBe(CONTACTS);

    // Every run reaches the delay at once: one progress batch each, all bumping the same node counters.
    await Promise.all(
      contacts.map((contactId) =>
        applyJourneyProgress(db.connection, {
          workspaceId: WS,
          journeyId: 'burst',
          version: 1,
          contactId,
          slot: 'burst',
          workflowId: `wf-burst-${contactId}`,
          runStartedId: `run-${contactId}`,
          seq: 1,
          at: now.toISOString(),
          nodeId: 'wait',
          status: 'waiting',
          steps: [{ nodeId: 'trigger', at: now.toISOString() }],
          entered: { trigger: 1, wait: 1 },
          outputs: [{ nodeId: 'trigger', output: 'next' }],
          converted: [],
          waitingAt: 'wait',
        }),
      ),
    );

    const totals = (await journeyTotals(db.connection, WS, ['burst']))('burst');
    expect(totals).toEqual({ entered: CONTACTS, active: CONTACTS, converted: 0 });
    const stats = await journeyStats(db.connection, WS, 'burst', ['trigger', 'wait'], { now });
    expect(stats.nodes.wait).toMatchObject({ entered: CONTACTS, waiting: CONTACTS });
    expect(stats.nodes.trigger).toMatchObject({ entered: CONTACTS, outputs: { next: CONTACTS } });
    expect(stats.series.at(-1)).toMatchObject({ enrolled: CONTACTS });
  });

  it('never enrols past the enrolment limit, even when everyone arrives at once', async () => {
    await published(db, 'limited', 25);
    const now = new Date('2026-11-29T11:00:00Z');
    const reservations = await Promise.all(
      Array.from({ length: 60 }, (_, i) => enrol(db, 'limited', `l${i}`, now)),
    );
    const outcomes = reservations.map((r) => (r.enroll ? 'enrolled' : r.reason));
    expect(outcomes.filter((o) => o === 'enrolled')).toHaveLength(25);
    expect(outcomes.filter((o) => o === 'limitReached')).toHaveLength(35);
    expect((await journeyTotals(db.connection, WS, ['limited']))('limited')).toMatchObject({
      entered: 25,
      active: 25,
    });
  });

  it('counts enrolments and steps made by four processes at once (two APIs, two workers), none lost', async () => {
    await published(db, 'two-processes');
    const others = await Promise.all(
      [1, 2, 3].map(() => connectDatabase(process.env.MONGO_URL as string, db.connection.name)),
    );
    try {
      const now = new Date('2026-11-29T12:00:00Z');
      const processes = [db, ...others];
      const contacts = Array.from({ length: CONTACTS }, (_, i) => `t${i}`);
      const reservations = await Promise.all(
        contacts.map((c, i) => enrol(processes[i % 4] as Database, 'two-processes', c, now)),
      );
      expect(reservations.filter((r) => r.enroll).length).toBe(CONTACTS);
      await Promise.all(
        contacts.map((contactId, i) =>
          applyJourneyProgress((processes[(i + 1) % 4] as Database).connection, {
            workspaceId: WS,
            journeyId: 'two-processes',
            version: 1,
            contactId,
            slot: 'two-processes',
            workflowId: `wf-two-processes-${contactId}`,
            runStartedId: `run-${contactId}`,
            seq: 1,
            at: now.toISOString(),
            nodeId: 'wait',
            status: 'waiting',
            steps: [{ nodeId: 'trigger', at: now.toISOString() }],
            entered: { trigger: 1, wait: 1 },
            outputs: [{ nodeId: 'trigger', output: 'next' }],
            converted: [],
            waitingAt: 'wait',
          }),
        ),
      );
      expect((await journeyTotals(db.connection, WS, ['two-processes']))('two-processes')).toEqual({
        entered: CONTACTS,
        active: CONTACTS,
        converted: 0,
      });
      const stats = await journeyStats(db.connection, WS, 'two-processes', ['trigger', 'wait'], {
        now,
      });
      expect(stats.nodes.wait).toMatchObject({ entered: CONTACTS, waiting: CONTACTS });
      expect(stats.series.at(-1)).toMatchObject({ enrolled: CONTACTS });
    } finally {
      await Promise.all(others.map((other) => other.close()));
    }
  });
});
