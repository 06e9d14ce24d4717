import { randomBytes, randomUUID } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import type { JourneyDefinition } from '@cairn/core';
import {
  createJourney,
  enqueueJourneyTriggers,
  findContactJourneys,
  findJourney,
  journeyStats,
  journeyTotals,
  publishJourneyDraft,
  reserveEnrollmentSparingRead,
  type Database,
} from '@cairn/db';
import { journeyWorkflowId } from '@cairn/workflows';
import { enrollInJourney as enrollShared } from '@cairn/workflows/client';
import { JourneyDispatcher, enrollInJourney, ensureSearchAttributes } from '../src/index';
import { useWorkerTestStack } from './harness';

// Counts the commands each enrolment sends; read by connectDatabase when the harness connects.
process.env.CAIRN_MONITOR_COMMANDS = '1';

/** trigger on `event` → delay a day → exit; each test hears its own event, so journeys do not overlap. */
const definition = (event: string): JourneyDefinition =>
  ({
    name: 'Welcome',
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event } },
      { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
      { id: 'exit', kind: 'exit' },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
      { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'exit' },
    ],
  }) as JourneyDefinition;

describe('enrolment: one path for the API and the dispatcher, idempotent by cause and workflow id', () => {
  let db: Database;
  let client: Client;
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  const taskQueue = `enrol-${randomUUID()}`;
  const deps = () => ({ db, client, taskQueue });

  let stack: { connection: Connection; namespace: string };
  useWorkerTestStack('enrolment', { temporal: 'dev-server' }, (s) => {
    ({ db, client } = s);
    stack = s;
  });
  beforeAll(() => ensureSearchAttributes(stack.connection, stack.namespace), 60_000);

  async function publish(event: string) {
    const { journeyId } = await createJourney(db.connection, workspaceId, {
      name: event,
      definition: definition(event),
    });
    await publishJourneyDraft(db.connection, workspaceId, journeyId, { check: async () => [] });
    return journeyId;
  }

  /** Every execution Temporal holds under the run's workflow id (running or closed). */
  async function executions(journeyId: string, contactId: string) {
    const workflowId = journeyWorkflowId(workspaceId, journeyId, contactId);
    const runIds = new Set<string>();
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      runIds.add(wf.runId);
    // Visibility lags the start a little; describe() answers at once for the current run.
    runIds.add((await client.workflow.getHandle(workflowId).describe()).runId);
    return runIds;
  }

  /** The commands `work` sends on the test's connection, as "command collection". */
  async function commandsOf(work: () => Promise<unknown>) {
    const commands: string[] = [];
    const mongo = db.connection.getClient();
    const listen = (e: { commandName: string; command: Record<string, unknown> }) =>
      commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
    mongo.on('commandStarted', listen);
    try {
      return { result: await work(), commands };
    } finally {
      mongo.off('commandStarted', listen);
    }
  }

  const eventTrigger = (event: string, contactId: string, messageId: string, at: number) => ({
    workspaceId,
    contactId,
    kind: 'event' as const,
    messageId,
    event,
    properties: {},
    at,
    receivedAt: at,
  });

  it('the API’s manual enrolment, its retry and the dispatcher at the same moment start one run and count one entrant', async () => {
    const journeyId = await publish('Signed Up');
    const signedUp = eventTrigger.bind(null, 'Signed Up');
    const journey = (await findJourney(db.connection, workspaceId, journeyId))!;
    const now = Date.now();
    await enqueueJourneyTriggers(db.connection, [signedUp('ada', 'm-ada', now)]);
    const dispatcher = new JourneyDispatcher(deps());
    // What the API's route does: the shared enrolment, its reservation spared the journey read.
    const byHand = () =>
      enrollShared(
        {
          client,
          taskQueue,
          reserve: (r) => reserveEnrollmentSparingRead(db.connection, { ...r, journey }),
        },
        {
          workspaceId,
          journeyId,
          contactId: 'ada',
          entry: { kind: 'manual', at: new Date(now).toISOString() },
          enrolledBy: 'manual:req-1',
          now: new Date(now),
        },
      );
    const [first, retried, pass] = await Promise.all([
      byHand(),
      byHand(),
      dispatcher.dispatchOnce(),
    ]);

    const enrolled = [first, retried].filter((r) => 'enrolled' in r).length + pass.enrolled;
    expect(pass).toMatchObject({ processed: 1, failed: 0 });
    // The retry of the same request may start the same run again (USE_EXISTING); no other cause enrols.
    expect(enrolled).toBeGreaterThanOrEqual(1);
    expect((await executions(journeyId, 'ada')).size).toBe(1);
    const record = (await findContactJourneys(db.connection, workspaceId, 'ada'))?.runs[journeyId];
    expect(record?.enrolledBy).toMatch(/^manual:req-1$|:event:ada:m-ada$/);
    const totals = (await journeyTotals(db.connection, workspaceId, [journeyId]))(journeyId);
    expect(totals).toMatchObject({ entered: 1, active: 1 });
    const stats = await journeyStats(db.connection, workspaceId, journeyId, []);
    expect(stats.series.at(-1)).toMatchObject({ enrolled: 1 });

    // A second event of the contact later: the re-entry rule refuses it, still one run.
    await enqueueJourneyTriggers(db.connection, [signedUp('ada', 'm-ada-2', Date.now())]);
    expect(await dispatcher.dispatchOnce()).toMatchObject({ processed: 1, enrolled: 0 });
    expect((await executions(journeyId, 'ada')).size).toBe(1);
  }, 120_000);

  it('a dispatcher pass reads no journey document per start and counts every entrant once', async () => {
    const journeyId = await publish('Trial Started');
    const signedUp = eventTrigger.bind(null, 'Trial Started');
    const contacts = Array.from({ length: 24 }, (_, i) => `burst-${i}`);
    const at = Date.now();
    await enqueueJourneyTriggers(
      db.connection,
      contacts.map((c) => signedUp(c, `m-${c}`, at)),
    );
    const { result: report, commands } = await commandsOf(() =>
      new JourneyDispatcher(deps()).dispatchOnce(),
    );
    expect(report).toMatchObject({ processed: contacts.length, enrolled: contacts.length });
    // One read of the published journeys for the whole pass, none per start.
    expect(commands.filter((c) => c === 'find journeys').length).toBeLessThanOrEqual(1);
    // The contact's runs are read once per start (to signal its running runs), not again to reserve.
    expect(commands.filter((c) => c === 'find contact_journeys')).toHaveLength(contacts.length);

    const totals = (await journeyTotals(db.connection, workspaceId, [journeyId]))(journeyId);
    expect(totals).toMatchObject({ entered: contacts.length, active: contacts.length });
    const stats = await journeyStats(db.connection, workspaceId, journeyId, []);
    expect(stats.series.at(-1)).toMatchObject({ enrolled: contacts.length });
    for (const c of contacts.slice(0, 3)) expect((await executions(journeyId, c)).size).toBe(1);

    // The same contacts enrolled again by the worker's binding: refused by the re-entry rule.
    const again = await enrollInJourney(deps(), {
      workspaceId,
      journeyId,
      contactId: contacts[0]!,
      entry: { kind: 'manual', at: new Date().toISOString() },
      enrolledBy: 'test:again',
      now: new Date(),
    });
    expect(again).toEqual({ enroll: false, reason: 'alreadyInJourney' });
  }, 120_000);
  it('enrolling by hand reads the contact’s runs only when its slot is taken: not for a first entry, once for a refused re-entry', async () => {
    const journeyId = await publish('Demo Booked');
    const journey = (await findJourney(db.connection, workspaceId, journeyId))!;
    const byHand = (cause: string) =>
      enrollShared(
        {
          client,
          taskQueue,
          reserve: (r) => reserveEnrollmentSparingRead(db.connection, { ...r, journey }),
        },
        {
          workspaceId,
          journeyId,
          contactId: 'grace',
          entry: { kind: 'manual', at: new Date().toISOString() },
          enrolledBy: cause,
          now: new Date(),
        },
      );
    const runReads = (commands: string[]) =>
      commands.filter((c) => c === 'find contact_journeys').length;

    const first = await commandsOf(() => byHand('manual:req-a'));
    expect(first.result).toMatchObject({ enrolled: true });
    expect(runReads(first.commands)).toBe(0);

    const again = await commandsOf(() => byHand('manual:req-b'));
    expect(again.result).toEqual({ enroll: false, reason: 'alreadyInJourney' });
    expect(runReads(again.commands)).toBe(1);

    // The same request retried finds its own reservation and joins the run it started.
    const retried = await byHand('manual:req-a');
    expect(retried).toMatchObject({ enrolled: true });
    expect((await executions(journeyId, 'grace')).size).toBe(1);
    const record = (await findContactJourneys(db.connection, workspaceId, 'grace'))?.runs[
      journeyId
    ];
    expect(record?.enrolledBy).toBe('manual:req-a');
    const totals = (await journeyTotals(db.connection, workspaceId, [journeyId]))(journeyId);
    expect(totals).toMatchObject({ entered: 1, active: 1 });
  }, 120_000);
});
