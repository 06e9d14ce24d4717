// Tomorrow's workflow code must still run yesterday's histories: every stored history replays with the
// current code. A failure here means a change to workflow code needs a patched() guard, not a new fixture.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { NODE_KINDS } from '@cairn/core';
import { bundleCairnWorkflows } from '../src/index';

const FIXTURES = join(__dirname, 'fixtures');
type History = temporal.api.history.v1.History;

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({
    file,
    // Stored as the client's JSON of the fetched history (Temporal's JSON helpers trip on two protobufjs copies).
    history: temporal.api.history.v1.History.fromObject(
      JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')),
    ),
  }));

/** Every JSON payload in a history: inputs, activity results and local-activity markers alike. */
function payloadsOf(history: History): unknown[] {
  const found: unknown[] = [];
  const visit = (value: unknown) => {
    if (value === null || typeof value !== 'object') return;
    const { metadata, data } = value as { metadata?: { encoding?: Uint8Array }; data?: Uint8Array };
    if (metadata?.encoding && Buffer.from(metadata.encoding).toString() === 'json/plain' && data) {
      found.push(JSON.parse(Buffer.from(data).toString()));
      return;
    }
    for (const child of Object.values(value)) visit(child);
  };
  history.events.forEach(visit);
  return found;
}

/** The node kinds of the journey versions a history loaded. */
function nodeKindsOf(history: History): string[] {
  return payloadsOf(history).flatMap((p) => {
    const nodes = (p as { definition?: { nodes?: { kind: string }[] } } | null)?.definition?.nodes;
    return Array.isArray(nodes) ? nodes.map((n) => n.kind) : [];
  });
}

describe('stored journey histories replay with the current workflow code', () => {
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    bundle = await bundleCairnWorkflows();
  }, 180_000);

  it('the fixtures cover every node kind and a continue-as-new on both sides', () => {
    const covered = new Set(fixtures.flatMap((f) => nodeKindsOf(f.history)));
    expect([...covered].sort()).toEqual(NODE_KINDS.map((k) => k.kind).sort());
    const first = (f: (typeof fixtures)[number]) => f.history.events[0];
    const last = (f: (typeof fixtures)[number]) => f.history.events.at(-1);
    // One run that handed over, and one that began from a handed-over state.
    expect(fixtures.some((f) => last(f)?.workflowExecutionContinuedAsNewEventAttributes)).toBe(
      true,
    );
    expect(
      fixtures.some(
        (f) => first(f)?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId,
      ),
    ).toBe(true);
  });

  it('every fixture replays without a nondeterminism error', async () => {
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: bundle },
      fixtures.map((f) => ({ workflowId: f.file, history: f.history })),
    ))
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    expect({ replayed: fixtures.length, failures }).toEqual({
      replayed: fixtures.length,
      failures: [],
    });
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
  }, 180_000);
});
