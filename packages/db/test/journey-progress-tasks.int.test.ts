// A workflow task that times out still runs its local activities: its progress batches land beside the
// retried task's, with the same seqs. The run record and the counters must end as the kept history says.
import { JourneyDefinitionSchema } from '@cairn/core';
import {
  applyJourneyProgress,
  createJourney,
  findContactJourneys,
  journeyFunnelCounts,
  journeyStats,
  journeyTotals,
  publishJourneyDraft,
  reserveEnrollment,
  syncIndexes,
  type JourneyProgressInput,
} from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_tasks';
const DAY = '2026-12-06';
const ENTERED = new Date(`${DAY}T10:00:00Z`);
// The starved first task ran before the wait's due instant; its retry after it.
const FIRST_TRY = `${DAY}T10:00:01.000Z`;
const RETRY = `${DAY}T10:01:12.000Z`;

const definition = JourneyDefinitionSchema.parse({
  name: 'Due date',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
    { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'minutes' } },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'done' },
  ],
});

const runOf = (contactId: string) => ({
  workspaceId: WS,
  journeyId: 'due',
  version: 1,
  contactId,
  slot: 'due',
  workflowId: `journey:${WS}:due:${contactId}`,
  runStartedId: `run-${contactId}`,
});

/** The timed-out task's batch: it saw the wait not yet due. */
const waiting = (contactId: string): JourneyProgressInput => ({
  ...runOf(contactId),
  seq: 1,
  task: { history: 3, time: Date.parse(FIRST_TRY), settledSeq: 0 },
  at: FIRST_TRY,
  nodeId: 'wait',
  status: 'waiting',
  steps: [{ nodeId: 'start', at: FIRST_TRY, output: 'next' }],
  entered: { start: 1, wait: 1 },
  outputs: [{ nodeId: 'start', output: 'next' }],
  converted: [],
  waitingAt: 'wait',
});

/** The retried task's batch at the same seq: past the due instant, it walked wait → exit in one go. */
const finished = (contactId: string): JourneyProgressInput => ({
  ...runOf(contactId),
  seq: 1,
  task: { history: 6, time: Date.parse(RETRY), settledSeq: 0 },
  at: RETRY,
  nodeId: 'done',
  status: 'completed',
  steps: [
    { nodeId: 'start', at: RETRY, output: 'next' },
    { nodeId: 'wait', at: RETRY, output: 'next' },
  ],
  entered: { start: 1, wait: 1, done: 1 },
  outputs: [
    { nodeId: 'start', output: 'next' },
    { nodeId: 'wait', output: 'next' },
  ],
  converted: [],
  completion: { reason: 'exit', at: RETRY },
});

describe('progress batches of a timed-out workflow task and of its retry', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('jtasks');
    await syncIndexes(db.connection);
    await createJourney(db.connection, WS, { journeyId: 'due', name: 'due', definition });
    expect(await publishJourneyDraft(db.connection, WS, 'due', { check: async () => [] })).toEqual({
      ok: true,
      version: 1,
    });
  });
  afterAll(async () => db.drop());

  const enrol = async (contactId: string) => {
    const reserved = await reserveEnrollment(db.connection, {
      workspaceId: WS,
      journeyId: 'due',
      contactId,
      slot: 'due',
      workflowId: runOf(contactId).workflowId,
      enrolledBy: `manual-${contactId}`,
      now: ENTERED,
    });
    expect(reserved.enroll).toBe(true);
  };
  const recordOf = async (contactId: string) =>
    (await findContactJourneys(db.connection, WS, contactId))?.runs.due;

  it('ends every run as the retried task recorded it, whichever batch lands first, counting each run once', async () => {
    const contacts = Array.from({ length: 8 }, (_, i) => `c${i}`);
    for (const c of contacts) await enrol(c);
    const applied = await Promise.all(
      contacts.map(async (c, i) => {
        // Even contacts: the timed-out task's late local activity lands first (the bench's 89 runs).
        const first = i % 2 === 0 ? waiting(c) : finished(c);
        const second = i % 2 === 0 ? finished(c) : waiting(c);
        const outcomes = [
          await applyJourneyProgress(db.connection, first),
          await applyJourneyProgress(db.connection, second),
        ];
        // The retried task's local activity retried once more: the same batch again changes nothing.
        outcomes.push(await applyJourneyProgress(db.connection, finished(c)));
        return outcomes;
      }),
    );
    expect(applied).toEqual(
      contacts.map((_, i) => (i % 2 === 0 ? [true, true, false] : [true, false, false])),
    );

    for (const c of contacts)
      expect(await recordOf(c)).toMatchObject({
        status: 'completed',
        nodeId: 'done',
        exitedAt: RETRY,
        reason: 'exit',
        steps: finished(c).steps,
      });
    // What the run record keeps to do this is the writer's bookkeeping, not part of the run.
    expect(Object.keys((await recordOf('c0')) ?? {})).not.toContain('batches');

    const n = contacts.length;
    expect((await journeyTotals(db.connection, WS, ['due']))('due')).toEqual({
      entered: n,
      active: 0,
      converted: 0,
    });
    const stats = await journeyStats(db.connection, WS, 'due', ['start', 'wait', 'done'], {
      now: new Date(RETRY),
      days: 1,
    });
    expect(stats.nodes.start).toMatchObject({ entered: n, outputs: { next: n } });
    expect(stats.nodes.wait).toMatchObject({ entered: n, waiting: 0, outputs: { next: n } });
    expect(stats.nodes.done).toMatchObject({ entered: n });
    const funnel = await journeyFunnelCounts(db.connection, WS, 'due', { from: DAY, to: DAY });
    expect(funnel).toMatchObject({
      entered: n,
      reached: { start: n, wait: n, done: n },
      exits: { exit: n },
    });
    expect(funnel.days).toEqual([{ day: DAY, entered: n, converted: 0, exited: n }]);
  });

  it('takes back what a timed-out task recorded beyond the batches its retry wrote', async () => {
    await enrol('ahead');
    // The timed-out task also had an exit event in its inbox: after the wait it left by that event.
    const exitedByEvent: JourneyProgressInput = {
      ...runOf('ahead'),
      seq: 2,
      task: { history: 3, time: Date.parse(FIRST_TRY), settledSeq: 0 },
      at: FIRST_TRY,
      nodeId: 'wait',
      status: 'exited',
      steps: [],
      entered: {},
      outputs: [],
      converted: [],
      leftWaitingAt: 'wait',
      completion: { reason: 'exitEvent', at: FIRST_TRY },
    };
    expect(await applyJourneyProgress(db.connection, waiting('ahead'))).toBe(true);
    expect(await applyJourneyProgress(db.connection, exitedByEvent)).toBe(true);
    // The retry, past the due instant, ended the run at the exit step in its first batch.
    expect(await applyJourneyProgress(db.connection, finished('ahead'))).toBe(true);

    expect(await recordOf('ahead')).toMatchObject({
      status: 'completed',
      reason: 'exit',
      nodeId: 'done',
      steps: finished('ahead').steps,
    });
    const stats = await journeyStats(db.connection, WS, 'due', ['wait', 'done'], {
      now: new Date(RETRY),
      days: 1,
    });
    const { exits } = await journeyFunnelCounts(db.connection, WS, 'due', { from: DAY, to: DAY });
    expect(exits.exitEvent ?? 0).toBe(0);
    expect(exits.exit).toBe(9);
    expect(stats.nodes.wait?.waiting).toBe(0);
    // The first test's runs and this one: every run ended once, none is still counted active.
    expect((await journeyTotals(db.connection, WS, ['due']))('due')).toMatchObject({ active: 0 });
  });
});

// Entries of one slot share the workflow id; only the first execution's run id tells them apart.
describe('a late batch of a finished run, after the contact entered again', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  const again = JourneyDefinitionSchema.parse({
    ...definition,
    name: 'Again',
    settings: { ...definition.settings, reentry: { policy: 'afterExit' } },
  });
  const slotRun = (runStartedId: string) => ({
    ...runOf('back'),
    journeyId: 'again',
    slot: 'again',
    workflowId: `journey:${WS}:again:back`,
    runStartedId,
  });
  const enrol = async (now: Date) =>
    reserveEnrollment(db.connection, {
      workspaceId: WS,
      journeyId: 'again',
      contactId: 'back',
      slot: 'again',
      workflowId: slotRun('x').workflowId,
      enrolledBy: `manual-${now.toISOString()}`,
      now,
    });
  const recordOf = async () => (await findContactJourneys(db.connection, WS, 'back'))?.runs.again;

  beforeAll(async () => {
    db = await testDatabase('jreentry');
    await syncIndexes(db.connection);
    await createJourney(db.connection, WS, {
      journeyId: 'again',
      name: 'again',
      definition: again,
    });
    await publishJourneyDraft(db.connection, WS, 'again', { check: async () => [] });
  });
  afterAll(async () => db.drop());

  it('is ignored, before and after the new run reports, and the new run is recorded', async () => {
    expect((await enrol(ENTERED)).enroll).toBe(true);
    expect(
      await applyJourneyProgress(db.connection, { ...finished('back'), ...slotRun('first') }),
    ).toBe(true);
    expect(await recordOf()).toMatchObject({ status: 'completed', runStartedId: 'first' });

    // The contact enters again; the first run's local activity retried once more lands after that.
    const reentered = new Date(Date.parse(RETRY) + 60_000);
    expect((await enrol(reentered)).enroll).toBe(true);
    const late = { ...finished('back'), ...slotRun('first'), seq: 2 };
    expect(await applyJourneyProgress(db.connection, late)).toBe(false);
    expect(await recordOf()).toMatchObject({
      status: 'active',
      enteredAt: reentered.toISOString(),
    });
    // Which run it replaced is the progress writer's bookkeeping, not part of the run shown.
    expect(Object.keys((await recordOf()) ?? {})).not.toContain('supersedes');

    // The second run reports from its own seq 1, and the first run's batches stay out after that too.
    expect(
      await applyJourneyProgress(db.connection, { ...waiting('back'), ...slotRun('second') }),
    ).toBe(true);
    expect(await applyJourneyProgress(db.connection, { ...late, seq: 3 })).toBe(false);
    expect(await recordOf()).toMatchObject({
      status: 'active',
      nodeId: 'wait',
      runStartedId: 'second',
      enteredAt: reentered.toISOString(),
    });
  });
});
