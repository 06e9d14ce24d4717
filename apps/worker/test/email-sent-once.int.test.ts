import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { SMTPServer } from 'smtp-server';
import { ActionRegistry, type ActionContext } from '@cairn/action-sdk';
import { createEmailAction } from '@cairn/actions';
import { validateJourney, type CairnEvent, type JourneyDefinition } from '@cairn/core';
import {
  createJourney,
  eventModel,
  ingestEvents,
  listDeliveries,
  publishJourneyDraft,
  type Database,
} from '@cairn/db';
import {
  bundleCairnWorkflows,
  createJourneyActivities,
  createRunJourneyAction,
  enrollInJourney,
} from '../src/index';
import { useWorkerTestStack } from './harness';

/** The worker process dying at one point of a step: the activity attempt ends there and Temporal retries it. */
class WorkerDied extends Error {}

const welcome: JourneyDefinition = {
  name: 'Welcome email',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Signed Up' } },
    {
      id: 'mail',
      kind: 'action',
      action: { type: 'email', version: 1 },
      config: { subject: 'Welcome', html: '<p>Hello</p>' },
    },
    { id: 'exit', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'mail' },
    { id: 'e2', source: 'mail', sourceHandle: 'sent', target: 'exit' },
    { id: 'e3', source: 'mail', sourceHandle: 'skipped', target: 'exit' },
  ],
};

describe('Email Sent is written exactly once whatever the crash point', () => {
  let db: Database;
  let workspaceId: string;
  let client: Client;
  let nativeConnection: NativeConnection;
  useWorkerTestStack(
    'email_sent_once',
    { temporal: 'dev-server', workspace: { name: 'Email once' } },
    (s) => ({ db, workspaceId, client, nativeConnection } = s),
  );
  const taskQueue = `email-once-${randomUUID()}`;

  let smtp: SMTPServer;
  const received: string[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          received.push(...session.envelope.rcptTo.map((r) => r.address));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('writes the event on the retry after a crash between the stored "sent" and the event, and never twice', async () => {
    const email = createEmailAction({
      smtp: { host: '127.0.0.1', port: (smtp.server.address() as AddressInfo).port },
      from: 'team@cairn.test',
      trackingBaseUrl: 'http://cairn.test',
      trackingSecret: 'tracking-secret-for-tests-0123456789',
    });
    // The real email@1, with the process dying the first time it goes to write the Email Sent event.
    let crashes = 1;
    const crashingEmail: typeof email = {
      ...email,
      async run(ctx: ActionContext, config: Parameters<typeof email.run>[1]) {
        const recordEvent: ActionContext['services']['recordEvent'] = async (contactId, event) => {
          if (crashes-- > 0) throw new WorkerDied('worker killed after the outcome was stored');
          return ctx.services.recordEvent(contactId, event);
        };
        return email.run({ ...ctx, services: { ...ctx.services, recordEvent } }, config);
      },
    };
    const registry = new ActionRegistry([crashingEmail]);

    const journey = await createJourney(db.connection, workspaceId, {
      name: welcome.name,
      definition: welcome,
    });
    const published = await publishJourneyDraft(db.connection, workspaceId, journey.journeyId, {
      check: async (def) =>
        validateJourney(def, { catalog: registry.catalog(), segmentExists: () => true }),
    });
    expect(published).toEqual({ ok: true, version: 1 });
    const now = Date.now();
    const identify: CairnEvent = {
      messageId: 'ada-identify',
      type: 'identify',
      userId: 'ada',
      event: 'Identify',
      properties: {},
      traits: { email: 'ada@cairn.test' },
      context: {},
      timestamp: now,
      receivedAt: now,
    };
    await ingestEvents(db.connection, workspaceId, [identify], { now });

    const emailSent = () =>
      eventModel(db.connection).find({ workspaceId, contactId: 'ada', event: 'Email Sent' }).lean();

    // The journey on the real worker: attempt 1 sends, stores "sent" and dies before the event; Temporal retries.
    const deps = { db, client, taskQueue, registry, searchAttributes: false };
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: await bundleCairnWorkflows(),
      activities: createJourneyActivities(deps),
    });
    const enrolled = await worker.runUntil(async () => {
      const result = await enrollInJourney(deps, {
        workspaceId,
        journeyId: journey.journeyId,
        contactId: 'ada',
        entry: { kind: 'manual', at: new Date().toISOString() },
        enrolledBy: 'test',
        now: new Date(),
      });
      if (!('workflowId' in result)) throw new Error(`not enrolled: ${JSON.stringify(result)}`);
      expect(await client.workflow.getHandle(result.workflowId).result()).toMatchObject({
        status: 'completed',
      });
      return result;
    });
    expect(crashes).toBe(0); // it died once; the retry answered from the stored outcome without sending again
    expect(enrolled.workflowId).toContain(journey.journeyId);

    // One more attempt of the same step (a duplicated retry) re-writes nothing.
    const [delivery] = await listDeliveries(db.connection, workspaceId, 'ada');
    const runAction = createRunJourneyAction({ ...deps, registry });
    const again = await runAction({
      workspaceId,
      journeyId: journey.journeyId,
      version: 1,
      contactId: 'ada',
      nodeId: 'mail',
      action: { type: 'email', version: 1 },
      config: {},
      stepKey: 'mail:1',
      idempotencyKey: delivery!._id,
      runId: 'unused',
    });
    expect(again).toMatchObject({ held: false, output: 'sent' });

    expect(received).toEqual(['ada@cairn.test']);
    const events = await emailSent();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      messageId: delivery!._id,
      properties: {
        journeyId: journey.journeyId,
        nodeId: 'mail',
        subject: 'Welcome',
        to: 'ada@cairn.test',
      },
    });
    expect((await listDeliveries(db.connection, workspaceId, 'ada')).map((d) => d.status)).toEqual([
      'sent',
    ]);
  }, 60_000);
});
