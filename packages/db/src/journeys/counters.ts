// The counters the designer shows (journey totals, per-day funnel, per-node figures): how they are
// bumped from many steps and processes at once, and how they are read back.
import type { Connection } from 'mongoose';
import { createCoalescer, type Coalescer } from '../coalesce.js';
import { upsertRacing } from '../connection.js';
import {
  journeyDayKey,
  journeyNodeStatsModel,
  journeyStatsModel,
  type JourneyStatsDoc,
} from '../models/journey.js';

/** MongoDB field names may not hold '.' or start with '$'; slots and output names come from user ids. */
export function fieldName(name: string): string {
  return name.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/^\$/, '%24');
}
export function decodeFieldName(name: string): string {
  return decodeURIComponent(name);
}

interface CounterModel {
  updateOne(filter: object, update: object, options?: object): Promise<unknown>;
  collection: { collectionName: string };
}

/**
 * `$inc` with upsert; a concurrent upsert that won the insert makes this one retry as an update. Counters
 * (journey totals, per-day and per-node figures) are bumped by many steps and processes at once: exact
 * because `$inc` is atomic on MongoDB and on the FerretDB that dev-stack builds (decision 010).
 */
export async function incUpsert(model: CounterModel, _id: string, inc: Record<string, number>) {
  await upsertRacing(() => model.updateOne({ _id }, { $inc: inc }, { upsert: true }));
}

const counterCoalescers = new WeakMap<CounterModel, Coalescer<Record<string, number>>>();

/**
 * `incUpsert` for counters that a burst bumps at once (every enrolment bumps its journey's totals, every
 * run waking from one delay its node's): concurrent bumps of one document merge into one write per round.
 */
export function bumpCounters(model: CounterModel, _id: string, inc: Record<string, number>) {
  let coalescer = counterCoalescers.get(model);
  if (!coalescer) {
    coalescer = createCoalescer<Record<string, number>>(
      (into, next) => {
        for (const [field, by] of Object.entries(next)) into[field] = (into[field] ?? 0) + by;
      },
      (key, delta) => incUpsert(model, key, delta),
    );
    counterCoalescers.set(model, coalescer);
  }
  return coalescer.apply(_id, { ...inc });
}

export const utcDay = (at: Date) => at.toISOString().slice(0, 10);
export const statsKey = (workspaceId: string, journeyId: string) => `${workspaceId}:${journeyId}`;
export const dayKey = journeyDayKey;

/** The funnel's name for how a run ended: the interpreter's completion reason, or stopped / failed. */
export function exitReasonOf(status: string, reason: string): string {
  return status === 'stopped' || status === 'failed' ? status : reason;
}

/** A send of this step that must wait for a later window of its channel's send limit (once per send). */
export async function countThrottledSend(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  nodeId: string,
) {
  await incUpsert(journeyNodeStatsModel(connection), `${workspaceId}:${journeyId}:${nodeId}`, {
    throttled: 1,
  });
}

/** Opens and clicks reported by tracking (the event carries journeyId and nodeId). */
export async function countJourneyEngagement(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  nodeId: string,
  what: 'opened' | 'clicked',
) {
  await incUpsert(journeyNodeStatsModel(connection), `${workspaceId}:${journeyId}:${nodeId}`, {
    [what]: 1,
  });
}

export async function journeyTotals(
  connection: Connection,
  workspaceId: string,
  journeyIds: string[],
) {
  const docs = await journeyStatsModel(connection)
    .find({ _id: { $in: journeyIds.map((id) => statsKey(workspaceId, id)) } })
    .lean();
  const byId = new Map(docs.map((d) => [d._id.slice(workspaceId.length + 1), d]));
  return (journeyId: string) => {
    const d = byId.get(journeyId);
    return {
      entered: d?.entered ?? 0,
      active: Math.max(0, d?.active ?? 0),
      converted: d?.converted ?? 0,
    };
  };
}

export interface NodeStatsView {
  entered: number;
  waiting: number;
  outputs: Record<string, number>;
  converted: number;
  sent?: number;
  /** Sends the frequency cap skipped. */
  capped?: number;
  /** Sends that waited for room under the channel's send limit. */
  throttled?: number;
  opened?: number;
  clicked?: number;
}

/** Per-node counters for the given nodes and one entry per UTC day of the last `days`. */
export async function journeyStats(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  nodeIds: string[],
  options: { days?: number; now?: Date } = {},
) {
  const nodeDocs = await journeyNodeStatsModel(connection)
    .find({ _id: { $in: nodeIds.map((n) => `${workspaceId}:${journeyId}:${n}`) } })
    .lean();
  const prefix = `${workspaceId}:${journeyId}:`;
  const nodes: Record<string, NodeStatsView> = {};
  for (const nodeId of nodeIds)
    nodes[nodeId] = { entered: 0, waiting: 0, outputs: {}, converted: 0 };
  for (const d of nodeDocs) {
    const nodeId = d._id.slice(prefix.length);
    nodes[nodeId] = {
      entered: d.entered ?? 0,
      waiting: Math.max(0, d.waiting ?? 0),
      outputs: Object.fromEntries(
        Object.entries(d.outputs ?? {}).map(([k, v]) => [decodeFieldName(k), v]),
      ),
      converted: d.converted ?? 0,
      ...(d.sent ? { sent: d.sent } : {}),
      ...(d.capped ? { capped: d.capped } : {}),
      ...(d.throttled ? { throttled: d.throttled } : {}),
      ...(d.opened ? { opened: d.opened } : {}),
      ...(d.clicked ? { clicked: d.clicked } : {}),
    };
  }
  const days = options.days ?? 30;
  const end = (options.now ?? new Date()).getTime();
  const dayList = Array.from({ length: days }, (_, i) =>
    utcDay(new Date(end - (days - 1 - i) * 86_400_000)),
  );
  const dayDocs = await journeyStatsModel(connection)
    .find({ _id: { $in: dayList.map((d) => dayKey(workspaceId, journeyId, d)) } })
    .lean();
  const byDay = new Map(dayDocs.map((d) => [d._id.slice(-10), d]));
  const series = dayList.map((day) => ({
    day,
    enrolled: byDay.get(day)?.enrolled ?? 0,
    converted: byDay.get(day)?.converted ?? 0,
  }));
  return {
    nodes,
    series,
    holdout: holdoutComparison(
      await journeyStatsModel(connection).findById(statsKey(workspaceId, journeyId)).lean(),
    ),
  };
}

/** Converted share of the contacts who went through the journey against the held-out ones; null when nothing to compare. */
export interface HoldoutComparison {
  journey: { contacts: number; converted: number; rate: number | null };
  holdout: { contacts: number; converted: number; rate: number | null };
  /** (journey rate − holdout rate) / holdout rate; null while either group is empty or the holdout rate is 0. */
  lift: number | null;
}

function holdoutComparison(
  totals: Pick<JourneyStatsDoc, 'entered' | 'converted' | 'heldOut' | 'holdoutConverted'> | null,
): HoldoutComparison {
  const heldOut = totals?.heldOut ?? 0;
  const journey = {
    contacts: Math.max(0, (totals?.entered ?? 0) - heldOut),
    converted: totals?.converted ?? 0,
  };
  const holdout = { contacts: heldOut, converted: totals?.holdoutConverted ?? 0 };
  const rate = (g: { contacts: number; converted: number }) =>
    g.contacts > 0 ? g.converted / g.contacts : null;
  const journeyRate = rate(journey);
  const holdoutRate = rate(holdout);
  return {
    journey: { ...journey, rate: journeyRate },
    holdout: { ...holdout, rate: holdoutRate },
    lift:
      journeyRate !== null && holdoutRate !== null && holdoutRate > 0
        ? (journeyRate - holdoutRate) / holdoutRate
        : null,
  };
}
