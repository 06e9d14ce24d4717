// A run's progress as its workflow reports it, batch by batch: the run record and the counters it moves,
// each batch applied once even when a timed-out workflow task reports it twice.
import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { JourneyProgress } from '@cairn/core';
import { isDuplicateKeyError, updateIfUnchanged, withDocumentLocks } from '../connection.js';
import { journeyNodeStatsModel, journeyStatsModel } from '../models/journey.js';
import {
  contactJourneysModel,
  type AppliedProgressBatch,
  type JourneyRunRecord,
  type JourneyRunStatus,
} from '../models/journey-run.js';
import { bumpCounters, dayKey, exitReasonOf, fieldName, statsKey } from './counters.js';
import { contactJourneysKey } from './runs.js';

/** What the journey workflow reports after each step, with the run's slot in the contact's runs. */
export interface JourneyProgressInput extends JourneyProgress {
  slot: string;
}

export const MAX_RUN_STEPS = 50;

const RUN_STATUS: Record<string, JourneyRunStatus> = {
  running: 'active',
  waiting: 'active',
  completed: 'completed',
  exited: 'exited',
  converted: 'converted',
  stopped: 'stopped',
  failed: 'failed',
};

type CounterBump = AppliedProgressBatch['counted'][number];

/** The counter bumps one batch makes: per-node figures, journey totals and the day's funnel. */
function countersOf(p: JourneyProgressInput): CounterBump[] {
  const bumps: CounterBump[] = [];
  const node = (nodeId: string, field: string, by: number) =>
    bumps.push({ in: 'node', id: `${p.workspaceId}:${p.journeyId}:${nodeId}`, field, by });
  for (const [nodeId, count] of Object.entries(p.entered)) node(nodeId, 'entered', count);
  for (const o of p.outputs) node(o.nodeId, `outputs.${fieldName(o.output)}`, 1);
  for (const nodeId of p.converted) node(nodeId, 'converted', 1);
  for (const nodeId of p.sent ?? []) node(nodeId, 'sent', 1);
  for (const nodeId of p.capped ?? []) node(nodeId, 'capped', 1);
  if (p.waitingAt) node(p.waitingAt, 'waiting', 1);
  if (p.leftWaitingAt) node(p.leftWaitingAt, 'waiting', -1);
  const totals = (field: string, by: number) =>
    bumps.push({ in: 'journey', id: statsKey(p.workspaceId, p.journeyId), field, by });
  if (p.converted.length > 0) totals('converted', p.converted.length);
  if (p.completion) totals('active', -1);
  if (p.heldOut) totals('heldOut', 1);
  if (p.holdoutConverted) totals('holdoutConverted', 1);
  // The day's funnel: on the journey's day doc of the batch, beside the totals above.
  const dayId = dayKey(p.workspaceId, p.journeyId, p.at.slice(0, 10));
  const day = (field: string, by: number) => bumps.push({ in: 'journey', id: dayId, field, by });
  for (const [nodeId, count] of Object.entries(p.entered))
    day(`reached.${fieldName(nodeId)}`, count);
  if (p.converted.length > 0) day('converted', p.converted.length);
  if (p.heldOut) day('heldOut', 1);
  if (p.completion) day(`exits.${fieldName(exitReasonOf(p.status, p.completion.reason))}`, 1);
  return bumps;
}

/** JSON with keys sorted, so one batch digests the same however its object was built. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** What the batch says, not which task wrote it: an identical retry digests the same. */
function digestOf(p: JourneyProgressInput): string {
  const { task: _task, ...content } = p;
  return createHash('sha256').update(canonical(content)).digest('base64url').slice(0, 22);
}

type Placement = { apply: false } | { apply: true; replaces: AppliedProgressBatch[] };

const laterTask = (a: { history: number; time: number }, b: { history: number; time: number }) =>
  a.history > b.history || (a.history === b.history && a.time > b.time);

/**
 * Whether a batch changes the run record, and which applied batches it replaces. A workflow task that
 * times out still runs its local activities, so a seq can arrive twice with different content: the
 * history keeps the later task's batch, so that one wins whichever lands first (decision 031).
 */
function placeBatch(
  run: JourneyRunRecord | undefined,
  p: JourneyProgressInput,
  digest: string,
): Placement {
  if (!run) return { apply: true, replaces: [] };
  // A batch from an earlier entry of this slot changes nothing, also before the new entry has reported.
  if (run.runStartedId !== undefined && run.runStartedId !== p.runStartedId)
    return { apply: false };
  if (run.runStartedId === undefined && run.supersedes === p.runStartedId) return { apply: false };
  const task = p.task;
  // Workflow code before task identities: a seen seq is a retry.
  if (!task) return run.seq >= p.seq ? { apply: false } : { apply: true, replaces: [] };
  const applied = run.batches ?? [];
  const latest = applied.at(-1);
  if (p.seq > run.seq)
    // Further along but from an older task than the last applied: a task the history dropped ran ahead.
    return latest && laterTask(latest, task) ? { apply: false } : { apply: true, replaces: [] };
  const same = applied.find((b) => b.seq === p.seq);
  // An identical retry, a late batch of an abandoned task, or one older than what is kept: nothing to do.
  if (!same || same.digest === digest || !laterTask(task, same)) return { apply: false };
  // A later task rewrote this seq: it and everything after it were written by tasks the history dropped.
  return { apply: true, replaces: applied.filter((b) => b.seq >= p.seq) };
}

/**
 * Applies one progress batch: the run record (conditional on the last applied batch, so two writers
 * never both apply) and then the counters. Returns false when the batch changed nothing: a retry, or a
 * batch of a workflow task the history did not keep. A batch that replaces one of an abandoned task
 * takes that one's counts back, so the counters stay what the kept history counted.
 */
export async function applyJourneyProgress(
  connection: Connection,
  p: JourneyProgressInput,
): Promise<boolean> {
  const cjId = contactJourneysKey(p.workspaceId, p.contactId);
  const slotField = `runs.${fieldName(p.slot)}`;
  const model = contactJourneysModel(connection);
  const status = RUN_STATUS[p.status] ?? 'active';
  const digest = digestOf(p);
  const counted = countersOf(p);
  let replaced: AppliedProgressBatch[] | undefined;
  for (let attempt = 0; attempt < 10 && !replaced; attempt++) {
    const doc = await model.findById(cjId, { [slotField]: 1 }).lean();
    const run = doc?.runs?.[fieldName(p.slot)];
    const placement = placeBatch(run, p, digest);
    if (!placement.apply) return false;
    const undoneSteps = placement.replaces.reduce((n, b) => n + b.steps, 0);
    const kept = run?.steps ?? [];
    const steps = [...kept.slice(0, Math.max(0, kept.length - undoneSteps)), ...p.steps].slice(
      -MAX_RUN_STEPS,
    );
    const next: JourneyRunRecord = {
      journeyId: p.journeyId,
      ...(p.key !== undefined ? { key: p.key } : {}),
      version: p.version,
      workflowId: p.workflowId,
      runStartedId: p.runStartedId,
      status,
      enteredAt: run?.enteredAt ?? p.at,
      ...(p.completion ? { exitedAt: p.completion.at, reason: p.completion.reason } : {}),
      nodeId: p.nodeId,
      ...(status === 'active' && p.wakeUpAt ? { wakeUpAt: p.wakeUpAt } : {}),
      steps,
      seq: p.seq,
      ...(p.task
        ? {
            digest,
            // Batches up to the task's settled seq are final: only the later ones can still be replaced.
            batches: [
              ...(run?.batches ?? []).filter(
                (b) => b.seq < p.seq && b.seq > (p.task?.settledSeq ?? 0),
              ),
              {
                seq: p.seq,
                history: p.task.history,
                time: p.task.time,
                digest,
                steps: p.steps.length,
                counted,
              },
            ],
          }
        : {}),
      enrolledBy: run?.enrolledBy ?? 'unknown',
    };
    try {
      const result = await withDocumentLocks([cjId], () =>
        updateIfUnchanged(
          connection,
          model,
          cjId,
          {
            [`${slotField}.seq`]: run ? run.seq : { $exists: false },
            [`${slotField}.digest`]: run?.digest ?? { $exists: false },
          },
          {
            $set: { [slotField]: next },
            $setOnInsert: { workspaceId: p.workspaceId, contactId: p.contactId },
          },
          { upsert: true },
        ),
      );
      if (result.modifiedCount + result.upsertedCount > 0) replaced = placement.replaces;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  if (!replaced)
    throw new Error(`journey progress for ${p.workflowId} kept conflicting with concurrent writes`);

  // This batch's counts less those of the batches it replaced, one $inc per document.
  const net = new Map<string, { in: CounterBump['in']; id: string; inc: Record<string, number> }>();
  const add = (b: CounterBump, sign: number) => {
    const key = `${b.in} ${b.id}`;
    const entry = net.get(key) ?? { in: b.in, id: b.id, inc: {} };
    entry.inc[b.field] = (entry.inc[b.field] ?? 0) + sign * b.by;
    net.set(key, entry);
  };
  for (const b of counted) add(b, 1);
  for (const old of replaced) for (const b of old.counted) add(b, -1);
  const nodeStats = journeyNodeStatsModel(connection);
  const stats = journeyStatsModel(connection);
  await Promise.all(
    [...net.values()].map((entry) => {
      const inc = Object.fromEntries(Object.entries(entry.inc).filter(([, by]) => by !== 0));
      if (Object.keys(inc).length === 0) return undefined;
      return bumpCounters(entry.in === 'node' ? nodeStats : stats, entry.id, inc);
    }),
  );
  return true;
}
