import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActionRegistry } from '@cairn/actions';
import { loadConfig } from '@cairn/config';
import { validateJourney, type CairnEvent } from '@cairn/core';
import {
  createJourney,
  findContactJourneys,
  ingestEvents,
  publishJourneyDraft,
  type Database,
} from '@cairn/db';
import { journeyWorkflowId } from '@cairn/workflows';
import { bundleCairnWorkflows, createJourneyActivities, enrollInJourney } from '../src/index';
import { useWorkerTestStack } from './harness';

/** A receiver on 127.0.0.1 that answers each request with the next status of `statuses` (the last one repeats). */
async function startReceiver(statuses: number[]) {
  const keys: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      keys.push(req.headers['x-cairn-idempotency-key'] as string | undefined);
      const status = statuses[Math.min(keys.length, statuses.length) - 1]!;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"seen":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/crm`, keys };
}

describe('a webhook step whose receiver is down for a while', () => {
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  let env: TestWorkflowEnvironment;
  let db: Database;
  useWorkerTestStack('webhook_retries', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));

  // 127.0.0.1 stands in for a public receiver: the SSRF guard would refuse it otherwise.
  const registry = createActionRegistry(loadConfig({ CAIRN_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' }));

  /** Publishes trigger → webhook → (ok: exit, failed: exit) and runs one contact through it. */
  async function runThrough(receiverUrl: string, contactId: string) {
    const definition = {
      name: `Tell the CRM ${contactId}`,
      settings: {
        reentry: { policy: 'never' as const },
        exitOnSegmentExit: false,
        holdoutPercent: 0,
      },
      nodes: [
        { id: 'trigger', kind: 'trigger' as const, trigger: { type: 'manual' as const } },
        {
          id: 'tell-crm',
          kind: 'action' as const,
          action: { type: 'webhook', version: 1 },
          config: { url: receiverUrl },
        },
        { id: 'done', kind: 'exit' as const },
        { id: 'gave-up', kind: 'exit' as const },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'tell-crm' },
        { id: 'e2', source: 'tell-crm', sourceHandle: 'ok', target: 'done' },
        { id: 'e3', source: 'tell-crm', sourceHandle: 'failed', target: 'gave-up' },
      ],
    };
    const check = async (def: unknown) =>
      validateJourney(def, { catalog: registry.catalog(), segmentExists: () => true });
    expect(await check(definition)).toEqual([]);
    const { journeyId } = await createJourney(db.connection, workspaceId, {
      name: definition.name,
      definition,
    });
    expect(await publishJourneyDraft(db.connection, workspaceId, journeyId, { check })).toEqual({
      ok: true,
      version: 1,
    });
    const at = Date.now();
    const identify: CairnEvent = {
      messageId: `${contactId}-identify`,
      type: 'identify',
      userId: contactId,
      event: 'Identify',
      properties: {},
      traits: { email: `${contactId}@example.test` },
      context: {},
      timestamp: at,
      receivedAt: at,
    };
    await ingestEvents(db.connection, workspaceId, [identify], { now: at });

    const taskQueue = `webhook-${randomUUID()}`;
    const deps = { db, client: env.client, taskQueue, registry, searchAttributes: false };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleCairnWorkflows(),
      activities: createJourneyActivities(deps),
      maxCachedWorkflows: 0,
    });
    const workflowId = journeyWorkflowId(workspaceId, journeyId, contactId);
    const outcome = await worker.runUntil(async () => {
      const enrolled = await enrollInJourney(deps, {
        workspaceId,
        journeyId,
        contactId,
        entry: { kind: 'manual', at: new Date(at).toISOString() },
        enrolledBy: `test:${contactId}`,
        now: new Date(at),
      });
      expect(enrolled).toMatchObject({ enrolled: true });
      return env.client.workflow.getHandle(workflowId).result();
    });
    const run = (await findContactJourneys(db.connection, workspaceId, contactId))?.runs[journeyId];
    return { outcome, run, workflowId };
  }

  it('is retried by Temporal (one request per attempt, one key) and follows "ok" once the receiver is back', async () => {
    // Four failures: more than the handler's own three tries used to absorb before it gave up with "failed".
    const receiver = await startReceiver([503, 502, 503, 504, 200]);
    try {
      const { outcome, run, workflowId } = await runThrough(receiver.url, 'ada');
      expect(outcome).toMatchObject({ status: 'completed' });
      expect(run?.steps.map((s) => [s.nodeId, s.output])).toEqual([
        ['trigger', 'next'],
        ['tell-crm', 'ok'],
      ]);
      // Five attempts of the step (Temporal's backoff, skipped here), one request each.
      expect(receiver.keys).toHaveLength(5);
      expect(new Set(receiver.keys).size).toBe(1);
      expect(receiver.keys[0]).toContain(workflowId);
    } finally {
      receiver.server.close();
    }
  }, 180_000);

  it('follows "failed" after one request when the receiver answers a 4xx', async () => {
    const receiver = await startReceiver([422]);
    try {
      const { outcome, run } = await runThrough(receiver.url, 'grace');
      expect(outcome).toMatchObject({ status: 'completed' });
      expect(run?.steps.map((s) => [s.nodeId, s.output])).toEqual([
        ['trigger', 'next'],
        ['tell-crm', 'failed'],
      ]);
      expect(receiver.keys).toHaveLength(1);
    } finally {
      receiver.server.close();
    }
  }, 180_000);
});
