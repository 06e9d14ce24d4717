import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { z } from 'zod';
import { ActionRegistry, defineAction } from '@cairn/action-sdk';
import type { JourneyDefinition } from '@cairn/core';
import {
  createJourney,
  findContactJourneys,
  journeyStats,
  publishJourneyDraft,
  type Database,
} from '@cairn/db';
import { bundleCairnWorkflows, createJourneyActivities, enrollInJourney } from '../src/index';
import { useWorkerTestStack } from './harness';

const sent: string[] = [];
const email = defineAction({
  type: 'email',
  version: 1,
  title: 'Email (recorded)',
  description: 'Records the send for the test.',
  category: 'message',
  icon: 'mail',
  configSchema: z.object({ subject: z.string() }),
  outputs: [{ name: 'sent' }, { name: 'skipped' }],
  async run(ctx) {
    sent.push(`${ctx.contact.id}:${ctx.journey.nodeId}`);
    return { output: 'sent' };
  },
});

type Kind = 'delay' | 'email';
const node = (kind: Kind, id: string) =>
  kind === 'delay'
    ? { node: { id, kind, duration: { amount: 1, unit: 'days' } }, outputs: ['next'] }
    : {
        node: {
          id,
          kind: 'action',
          action: { type: 'email', version: 1 },
          config: { subject: id },
        },
        outputs: ['sent', 'skipped'],
      };

/** trigger → n nodes of `kind` → exit. */
function chain(kind: Kind, n: number): JourneyDefinition {
  const nodes: unknown[] = [{ id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } }];
  const edges: unknown[] = [];
  let previous = { id: 'trigger', outputs: ['next'] };
  const link = (target: string) => {
    for (const out of previous.outputs)
      edges.push({ id: `${previous.id}-${out}`, source: previous.id, sourceHandle: out, target });
  };
  for (let i = 0; i < n; i++) {
    const next = node(kind, `${kind}${i}`);
    nodes.push(next.node);
    link(next.node.id);
    previous = { id: next.node.id, outputs: next.outputs };
  }
  nodes.push({ id: 'exit', kind: 'exit' });
  link('exit');
  return {
    name: `${kind} × ${n}`,
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes,
    edges,
  } as JourneyDefinition;
}

describe('a journey step costs at most six history events', () => {
  let env: TestWorkflowEnvironment;
  let db: Database;
  let bundle: WorkflowBundleWithSourceMap;
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  const registry = new ActionRegistry([email]);
  const taskQueue = `history-${randomUUID()}`;
  const deps = () => ({ db, client: env.client, taskQueue, registry, searchAttributes: false });

  useWorkerTestStack('history_size', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));
  beforeAll(async () => {
    bundle = await bundleCairnWorkflows();
  }, 180_000);

  /** Runs `definition` for one contact to its end; the run's history length and the journey's id. */
  async function run(definition: JourneyDefinition, contactId: string) {
    const { journeyId } = await createJourney(db.connection, workspaceId, {
      name: definition.name,
      definition,
    });
    await publishJourneyDraft(db.connection, workspaceId, journeyId, { check: async () => [] });
    const enrolled = await enrollInJourney(deps(), {
      workspaceId,
      journeyId,
      contactId,
      entry: { kind: 'manual', at: new Date().toISOString() },
      enrolledBy: `test:${contactId}`,
      now: new Date(),
    });
    if (!('workflowId' in enrolled)) throw new Error(`not enrolled: ${enrolled.reason}`);
    const handle = env.client.workflow.getHandle(enrolled.workflowId);
    await handle.result();
    return { journeyId, events: (await handle.fetchHistory()).events?.length ?? 0 };
  }

  it('per delay and per email step, and every step still reaches the run record and the stats', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createJourneyActivities(deps()),
    });
    await worker.runUntil(async () => {
      for (const kind of ['delay', 'email'] as const) {
        const one = await run(chain(kind, 1), `${kind}-one`);
        const three = await run(chain(kind, 3), `${kind}-three`);
        // Two more nodes of the kind, and nothing else, separate the two runs.
        expect({ kind, perStep: Math.min(6, (three.events - one.events) / 2) }).toEqual({
          kind,
          perStep: (three.events - one.events) / 2,
        });

        const record = (await findContactJourneys(db.connection, workspaceId, `${kind}-three`))
          ?.runs[three.journeyId];
        expect(record).toMatchObject({ status: 'completed' });
        expect(record?.steps.map((s) => s.nodeId)).toEqual([
          'trigger',
          `${kind}0`,
          `${kind}1`,
          `${kind}2`,
        ]);
        const stats = await journeyStats(db.connection, workspaceId, three.journeyId, [
          `${kind}0`,
          `${kind}1`,
          `${kind}2`,
        ]);
        for (const id of [`${kind}0`, `${kind}1`, `${kind}2`])
          expect(stats.nodes[id]).toMatchObject({
            entered: 1,
            waiting: 0,
            ...(kind === 'email' ? { sent: 1 } : {}),
          });
      }
    });
    expect(sent.filter((s) => s.startsWith('email-three:'))).toEqual([
      'email-three:email0',
      'email-three:email1',
      'email-three:email2',
    ]);
  }, 180_000);
});
