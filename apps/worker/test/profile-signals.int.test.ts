import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { ActionRegistry, defineAction } from '@cairn/action-sdk';
import { validateJourney, type CairnEvent, type JourneyDefinition } from '@cairn/core';
import {
  contactRevision,
  createJourney,
  enqueueJourneyTriggers,
  findContactJourneys,
  ingestEvents,
  journeyTriggerModel,
  profileChangedTrigger,
  publishJourneyDraft,
  recomputeRfm,
  updateContactTraits,
  type Database,
} from '@cairn/db';
import { JourneyDispatcher, bundleCairnWorkflows, createJourneyActivities } from '../src/index';
import { useWorkerTestStack } from './harness';

const settings = {
  reentry: { policy: 'never' as const },
  exitOnSegmentExit: false,
  holdoutPercent: 0,
};

/** Started → `wait` → tagged in-app message → exit. */
function journey(name: string, wait: JourneyDefinition['nodes'][number]): JourneyDefinition {
  return {
    name,
    settings,
    nodes: [
      { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Started' } },
      wait,
      { id: 'note', kind: 'action', action: { type: 'note', version: 1 }, config: {} },
      { id: 'exit', kind: 'exit' },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: wait.id },
      {
        id: 'e2',
        source: wait.id,
        sourceHandle: wait.kind === 'waitFor' ? 'matched' : 'next',
        target: 'note',
      },
      ...(wait.kind === 'waitFor'
        ? [{ id: 'e3', source: wait.id, sourceHandle: 'timeout', target: 'exit' }]
        : []),
      { id: 'e4', source: 'note', sourceHandle: 'next', target: 'exit' },
    ],
  };
}

describe('profile changes reach the runs that wait on the profile, once written', () => {
  let db: Database;
  let workspaceId: string;
  let client: Client;
  let nativeConnection: NativeConnection;
  useWorkerTestStack(
    'profile_signals',
    { temporal: 'dev-server', workspace: { name: 'Profile signals' } },
    (s) => ({ db, workspaceId, client, nativeConnection } = s),
  );
  const taskQueue = `profile-signals-${randomUUID()}`;
  const notes: string[] = [];
  const registry = new ActionRegistry([
    defineAction({
      type: 'note',
      version: 1,
      title: 'Note',
      description: 'Records which journey reached it.',
      category: 'integration',
      icon: 'pen',
      configSchema: z.object({}),
      async run(ctx) {
        notes.push(ctx.journey.id);
        return { output: 'next' };
      },
    }),
  ]);

  it('holds the signal until the change is visible, signals only runs that can move on it, and RFM rescoring queues one too', async () => {
    const publish = async (definition: JourneyDefinition) => {
      const created = await createJourney(db.connection, workspaceId, {
        name: definition.name,
        definition,
      });
      const published = await publishJourneyDraft(db.connection, workspaceId, created.journeyId, {
        check: async (def) => validateJourney(def, { catalog: registry.catalog() }),
      });
      expect(published).toEqual({ ok: true, version: 1 });
      return created.journeyId;
    };
    const vip = await publish(
      journey('Until VIP', {
        id: 'wait',
        kind: 'waitFor',
        for: {
          type: 'condition',
          condition: {
            type: 'all',
            conditions: [{ type: 'trait', field: 'vip', operator: 'eq', value: true }],
          },
        },
        timeout: { amount: 1, unit: 'days' },
      }),
    );
    const delayed = await publish(
      journey('A day later', { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'days' } }),
    );
    const now = Date.now();
    const event = (messageId: string, fields: Partial<CairnEvent>): CairnEvent => ({
      messageId,
      type: 'track',
      userId: 'kim',
      event: 'Started',
      properties: {},
      traits: {},
      context: {},
      timestamp: now,
      receivedAt: now,
      ...fields,
    });
    await ingestEvents(db.connection, workspaceId, [
      event('kim-identify', { type: 'identify', event: 'Identify', traits: { vip: false } }),
    ]);
    await ingestEvents(db.connection, workspaceId, [event('kim-started', {})]);

    const deps = { db, client, taskQueue, registry, searchAttributes: false };
    const dispatcher = new JourneyDispatcher(deps);
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: await bundleCairnWorkflows(),
      activities: createJourneyActivities(deps),
    });
    await worker.runUntil(async () => {
      const runs = async () =>
        Object.values((await findContactJourneys(db.connection, workspaceId, 'kim'))?.runs ?? {});
      for (let pass = 0; pass < 50 && (await runs()).filter((r) => r.seq > 0).length < 2; pass++) {
        await dispatcher.dispatchOnce();
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await runs()).map((r) => [r.journeyId, r.status, r.nodeId]).sort()).toEqual(
        [
          [vip, 'active', 'wait'],
          [delayed, 'active', 'wait'],
        ].sort(),
      );
      await journeyTriggerModel(db.connection).deleteMany({});

      // A trait change queues its signal before its write; read in between, the signal waits.
      const rev = (await contactRevision(db.connection, workspaceId, 'kim'))!;
      await enqueueJourneyTriggers(db.connection, [
        profileChangedTrigger(workspaceId, 'kim', rev + 1, Date.now()),
      ]);
      expect(await dispatcher.dispatchOnce()).toMatchObject({ processed: 0, failed: 1 });
      expect(notes).toEqual([]);

      // The updateContact step's write: the same trigger (same revision), now visible.
      const outcome = await updateContactTraits(db.connection, workspaceId, 'kim', (c) => ({
        ...c,
        traits: { ...c.traits, vip: true },
        profileTraits: { ...c.profileTraits, vip: true },
      }));
      expect(outcome).toBe('updated');
      expect(
        await journeyTriggerModel(db.connection).countDocuments({ kind: 'profileChanged' }),
      ).toBe(1);
      await new Promise((r) => setTimeout(r, 2_100)); // the first retry waits 2 s
      // One signal: the run waiting on the condition; the delayed run cannot move on a profile change.
      expect(await dispatcher.dispatchOnce()).toMatchObject({ processed: 1, signalled: 1 });
      for (let i = 0; i < 100 && notes.length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(notes).toEqual([vip]);
    });

    // RFM rescoring writes the profile too: its write queues the same kind of trigger, at its revision.
    await ingestEvents(db.connection, workspaceId, [
      event('kim-order', { event: 'Order Completed', properties: { revenue: 40 } }),
    ]);
    await journeyTriggerModel(db.connection).deleteMany({});
    const before = (await contactRevision(db.connection, workspaceId, 'kim'))!;
    expect(await recomputeRfm(db.connection, workspaceId, { now: Date.now() })).toMatchObject({
      contactsUpdated: 1,
    });
    expect(await contactRevision(db.connection, workspaceId, 'kim')).toBe(before + 1);
    expect(
      await journeyTriggerModel(db.connection).find({ kind: 'profileChanged' }).lean(),
    ).toMatchObject([{ contactId: 'kim', contactRev: before + 1 }]);
  }, 120_000);
});
