// Quiet hours on the Temporal host read the workspace's time zone for a contact who has none of their
// own, when the journey names no zone: the marketer set it once, in Settings.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { z } from 'zod';
import { ActionRegistry, defineAction } from '@cairn/action-sdk';
import { validateJourney, type JourneyDefinition } from '@cairn/core';
import {
  createJourney,
  ingestEvents,
  publishJourneyDraft,
  updateWorkspaceSettings,
  type Database,
} from '@cairn/db';
import { journeyWorkflowId } from '@cairn/workflows';
import { bundleCairnWorkflows, createJourneyActivities, enrollInJourney } from '../src/index';
import { useWorkerTestStack } from './harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('quiet hours in the workspace time zone', () => {
  let env: TestWorkflowEnvironment;
  let db: Database;
  let workspaceId: string;
  useWorkerTestStack(
    'quiet_zone',
    { temporal: 'time-skipping', workspace: { name: 'Tokyo shop' } },
    (s) => ({ env, db, workspaceId } = s),
  );

  /** When (on the test server's clock) each email went out. */
  const sentAt: number[] = [];
  const email = defineAction({
    type: 'email',
    version: 1,
    title: 'Email (sink)',
    description: 'Records when it would have sent.',
    category: 'message',
    icon: 'mail',
    configSchema: z.object({ subject: z.string() }),
    outputs: [{ name: 'sent' }],
    async run() {
      sentAt.push(await env.currentTimeMs());
      return { output: 'sent' };
    },
  });

  it('holds a 22:30 Tokyo send until 08:00 Tokyo, though it is 13:30 in UTC', async () => {
    const registry = new ActionRegistry([email]);
    const catalog = registry.catalog();
    await updateWorkspaceSettings(db.connection, workspaceId, { timezone: 'Asia/Tokyo' });
    const now = Date.now();
    await ingestEvents(
      db.connection,
      workspaceId,
      [
        {
          messageId: 'ana-identify',
          type: 'identify',
          userId: 'ana',
          event: 'Identify',
          properties: {},
          traits: { firstName: 'Ana' },
          context: {},
          timestamp: now,
          receivedAt: now,
        },
      ],
      { now },
    );
    const definition: JourneyDefinition = {
      name: 'Evening offer',
      settings: {
        reentry: { policy: 'never' },
        exitOnSegmentExit: false,
        holdoutPercent: 0,
        // No defaultTimezone: the journey leaves the zone to the workspace.
        quietHours: { start: '21:00', end: '08:00' },
      },
      nodes: [
        { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
        {
          id: 'mail',
          kind: 'action',
          action: { type: 'email', version: 1 },
          config: { subject: 'Hi' },
        },
        { id: 'done', kind: 'exit' },
      ],
      edges: [
        { id: 'e1', source: 'start', sourceHandle: 'next', target: 'mail' },
        { id: 'e2', source: 'mail', sourceHandle: 'sent', target: 'done' },
      ],
    };
    const { journeyId } = await createJourney(db.connection, workspaceId, {
      name: definition.name,
      definition,
    });
    const published = await publishJourneyDraft(db.connection, workspaceId, journeyId, {
      check: async (def) => validateJourney(def, { catalog }),
    });
    expect(published).toEqual({ ok: true, version: 1 });

    const taskQueue = `quiet-zone-${randomUUID()}`;
    const deps = { db, client: env.client, taskQueue, registry, searchAttributes: false };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleCairnWorkflows(),
      activities: createJourneyActivities(deps),
    });
    await worker.runUntil(async () => {
      // The next 13:30 UTC on the server's clock: 22:30 in Tokyo (UTC+9, no summer time).
      const clock = await env.currentTimeMs();
      const dayStart = Math.floor(clock / DAY) * DAY;
      let enrolAt = dayStart + 13.5 * HOUR;
      if (enrolAt <= clock) enrolAt += DAY;
      await env.sleep(enrolAt - clock);
      const enrolledAt = await env.currentTimeMs();
      const enrolled = await enrollInJourney(deps, {
        workspaceId,
        journeyId,
        contactId: 'ana',
        entry: { kind: 'manual', at: new Date(enrolledAt).toISOString() },
        enrolledBy: 'test',
        now: new Date(enrolledAt),
      });
      expect(enrolled).toMatchObject({ enrolled: true });
      await env.client.workflow
        .getHandle(journeyWorkflowId(workspaceId, journeyId, 'ana'))
        .result();
      // 08:00 Tokyo is 23:00 UTC the same day.
      const morning = Math.floor(enrolledAt / DAY) * DAY + 23 * HOUR;
      expect(sentAt).toHaveLength(1);
      // Sent when quiet hours end (the activity starts within moments), not at 13:30 UTC.
      expect(sentAt[0]! - morning).toBeGreaterThanOrEqual(0);
      expect(sentAt[0]! - morning).toBeLessThan(5 * 60_000);
    });
  }, 240_000);
});
