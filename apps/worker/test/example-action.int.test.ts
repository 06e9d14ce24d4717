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
  saveCredential,
  type Database,
} from '@cairn/db';
import { journeyWorkflowId } from '@cairn/workflows';
import { bundleCairnWorkflows, createJourneyActivities, enrollInJourney } from '../src/index';
import { useWorkerTestStack } from './harness';

type Received = {
  method: string;
  path: string;
  contentType: string | undefined;
  idempotencyKey: string | undefined;
  body: unknown;
};

/** A Slack-style incoming webhook on 127.0.0.1 that answers "ok" like Slack does and keeps every request. */
async function startFakeSlack(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // keep the raw text: the assertion will show what arrived
      }
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        idempotencyKey: req.headers['x-cairn-idempotency-key'] as string | undefined,
        body,
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/services/T000/B000/secret`, received };
}

describe('the example Slack action (a custom action package) inside a journey', () => {
  const secretKey = `test-secret-${randomBytes(24).toString('hex')}`;
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  const taskQueue = `slack-${randomUUID()}`;
  let env: TestWorkflowEnvironment;
  let db: Database;
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  useWorkerTestStack('slack_action', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));

  beforeAll(async () => {
    slack = await startFakeSlack();
  });

  afterAll(async () => {
    await new Promise((resolve) => slack?.server.close(resolve));
  });

  it('posts the rendered message for the enrolled contact exactly once, and the run completes', async () => {
    // The registry a deployment builds: built-ins plus whatever CAIRN_ACTION_PACKAGES names.
    const config = loadConfig({
      CAIRN_ACTION_PACKAGES: '@cairn/example-slack-action',
      CAIRN_SECRET_KEY: secretKey,
    });
    const registry = createActionRegistry(config);
    expect(registry.find('slackMessage', 1)).toBeDefined();

    const saved = await saveCredential(db.connection, secretKey, workspaceId, {
      name: 'sales-slack',
      type: 'slackWebhook',
      values: { webhookUrl: slack.url },
    });
    expect(saved).toMatchObject({ created: true, credential: { fields: ['webhookUrl'] } });

    const definition = {
      name: 'Tell sales about new signups',
      settings: {
        reentry: { policy: 'never' as const },
        exitOnSegmentExit: false,
        holdoutPercent: 0,
      },
      nodes: [
        { id: 'trigger', kind: 'trigger' as const, trigger: { type: 'manual' as const } },
        {
          id: 'tell-sales',
          kind: 'action' as const,
          action: { type: 'slackMessage', version: 1 },
          config: {
            text: 'New signup: {{ contact.traits.name }} ({{ contact.traits.email }})',
            credential: 'sales-slack',
          },
        },
        { id: 'exit', kind: 'exit' as const },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'tell-sales' },
        { id: 'e2', source: 'tell-sales', sourceHandle: 'posted', target: 'exit' },
      ],
    };
    expect(
      validateJourney(definition, { catalog: registry.catalog(), segmentExists: () => true }),
    ).toEqual([]);
    const { journeyId } = await createJourney(db.connection, workspaceId, {
      name: definition.name,
      definition,
    });
    const published = await publishJourneyDraft(db.connection, workspaceId, journeyId, {
      check: async (def) =>
        validateJourney(def, { catalog: registry.catalog(), segmentExists: () => true }),
    });
    expect(published).toEqual({ ok: true, version: 1 });

    const at = Date.now();
    // "&" in a name must reach Slack escaped, or Slack would read it as markup.
    const identify: CairnEvent = {
      messageId: 'ada-identify',
      type: 'identify',
      userId: 'ada',
      event: 'Identify',
      properties: {},
      traits: { name: 'Ada & Co', email: 'ada@example.test' },
      context: {},
      timestamp: at,
      receivedAt: at,
    };
    await ingestEvents(db.connection, workspaceId, [identify], { now: at });

    const deps = {
      db,
      client: env.client,
      taskQueue,
      registry,
      searchAttributes: false,
      secretKey,
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleCairnWorkflows(),
      activities: createJourneyActivities(deps),
      maxCachedWorkflows: 0,
    });
    await worker.runUntil(async () => {
      const enrolled = await enrollInJourney(deps, {
        workspaceId,
        journeyId,
        contactId: 'ada',
        entry: { kind: 'manual', at: new Date(at).toISOString() },
        enrolledBy: 'test:ada',
        now: new Date(at),
      });
      expect(enrolled).toMatchObject({ enrolled: true, version: 1 });
      const outcome = await env.client.workflow
        .getHandle(journeyWorkflowId(workspaceId, journeyId, 'ada'))
        .result();
      expect(outcome).toMatchObject({ status: 'completed' });
    });

    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]).toMatchObject({
      method: 'POST',
      path: '/services/T000/B000/secret',
      contentType: 'application/json',
      body: { text: 'New signup: Ada &amp; Co (ada@example.test)' },
    });
    expect(slack.received[0]!.idempotencyKey).toEqual(
      expect.stringContaining(journeyWorkflowId(workspaceId, journeyId, 'ada')),
    );

    const run = (await findContactJourneys(db.connection, workspaceId, 'ada'))?.runs[journeyId];
    expect(run?.status).toBe('completed');
    expect(run?.steps.map((s) => [s.nodeId, s.output])).toEqual([
      ['trigger', 'next'],
      ['tell-sales', 'posted'],
    ]);
  }, 180_000);
});
