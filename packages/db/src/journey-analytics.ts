// What the journey's analytics read: the per-day funnel counters and every run, for export.
import type { Connection } from 'mongoose';
import { decodeFieldName, exitReasonOf } from './journeys/counters.js';
import { journeyDayKey, journeyStatsModel } from './models/journey.js';
import { contactJourneysModel, type JourneyRunStatus } from './models/journey-run.js';

const DAY_MS = 86_400_000;

/** Every UTC day from `from` to `to` (both `YYYY-MM-DD`, inclusive). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export interface JourneyFunnelCounts {
  /** Runs started (enrolments) in the period, held-out ones included. */
  entered: number;
  heldOut: number;
  converted: number;
  /** Node id → times a contact reached it in the period. */
  reached: Record<string, number>;
  /** How runs ended in the period → runs (goal, exit, exitEvent, segmentExit, holdout, stopped, failed). */
  exits: Record<string, number>;
  days: { day: string; entered: number; converted: number; exited: number }[];
}

const sum = (values: Record<string, number> | undefined) =>
  Object.values(values ?? {}).reduce((a, b) => a + b, 0);

/**
 * The journey's funnel over UTC days `from`..`to`, summed from its day documents (one `_id` read per day:
 * the counters are written per day by applyJourneyProgress and reserveEnrollment, never scanned for).
 */
export async function journeyFunnelCounts(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  period: { from: string; to: string },
): Promise<JourneyFunnelCounts> {
  const days = daysBetween(period.from, period.to);
  const docs = await journeyStatsModel(connection)
    .find({ _id: { $in: days.map((d) => journeyDayKey(workspaceId, journeyId, d)) } })
    .lean();
  const byDay = new Map(docs.map((d) => [d._id.slice(-10), d]));
  const out: JourneyFunnelCounts = {
    entered: 0,
    heldOut: 0,
    converted: 0,
    reached: {},
    exits: {},
    days: [],
  };
  for (const day of days) {
    const d = byDay.get(day);
    out.entered += d?.enrolled ?? 0;
    out.heldOut += d?.heldOut ?? 0;
    out.converted += d?.converted ?? 0;
    for (const [k, n] of Object.entries(d?.reached ?? {}))
      out.reached[decodeFieldName(k)] = (out.reached[decodeFieldName(k)] ?? 0) + n;
    for (const [k, n] of Object.entries(d?.exits ?? {}))
      out.exits[decodeFieldName(k)] = (out.exits[decodeFieldName(k)] ?? 0) + n;
    out.days.push({
      day,
      entered: d?.enrolled ?? 0,
      converted: d?.converted ?? 0,
      exited: sum(d?.exits),
    });
  }
  return out;
}

/** One run as the export lists it: the contact's latest run of the journey (one per key for keyed triggers). */
export interface JourneyRunRow {
  contactId: string;
  key?: string;
  version: number;
  status: JourneyRunStatus;
  /** Where the run is now, or the step it ended at. */
  nodeId?: string;
  enteredAt: string;
  exitedAt?: string;
  /** How it ended, in the funnel's words (see exitReasonOf); the stored reason of a failure is in `detail`. */
  exitReason?: string;
  detail?: string;
}

/**
 * Every run of the journey, contact by contact, read through one cursor so an export of many contacts
 * streams in constant memory. Runs live in each contact's `contact_journeys` document, so this reads the
 * workspace's documents once; an export is rare enough not to earn an index of its own.
 */
export async function* journeyRuns(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  options: { status?: JourneyRunStatus } = {},
): AsyncGenerator<JourneyRunRow> {
  const cursor = contactJourneysModel(connection)
    // Unsorted on purpose: FerretDB sorts in memory, which would hold the whole workspace at once.
    .find({ workspaceId }, { contactId: 1, runs: 1 })
    .lean()
    .cursor({ batchSize: 500 });
  try {
    for await (const doc of cursor) {
      for (const run of Object.values(doc.runs ?? {})) {
        if (run.journeyId !== journeyId) continue;
        if (options.status && run.status !== options.status) continue;
        const ended = run.exitedAt !== undefined && run.status !== 'active';
        yield {
          contactId: doc.contactId,
          ...(run.key !== undefined ? { key: run.key } : {}),
          version: run.version,
          status: run.status,
          ...(run.nodeId !== undefined ? { nodeId: run.nodeId } : {}),
          enteredAt: run.enteredAt,
          ...(ended ? { exitedAt: run.exitedAt } : {}),
          ...(ended && run.reason !== undefined
            ? { exitReason: exitReasonOf(run.status, run.reason) }
            : {}),
          ...(ended &&
          run.reason &&
          run.reason !== run.status &&
          (run.status === 'failed' || run.status === 'stopped')
            ? { detail: run.reason }
            : {}),
        };
      }
    }
  } finally {
    await cursor.close();
  }
}
