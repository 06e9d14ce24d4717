import type { JourneyDefinition } from '@cairn/core';
import type { JourneyFunnel } from '../../api/client.js';
import { KIND_TITLES, summarizeNode } from '../../graph/summary.js';

/** One bar of the funnel: a step, how many reached it, and that as a share of the contacts who entered. */
export type FunnelBar = { nodeId: string; name: string; reached: number; share: string };
export type ExitRow = { reason: string; label: string; runs: number; share: string };

/** How a run ended, in the marketer's words (the API's `exits[].reason`). */
export const EXIT_LABELS: Record<string, string> = {
  goal: 'Met a goal',
  exit: 'Reached an exit step',
  exitEvent: 'Exit event',
  segmentExit: 'Left the segment',
  holdout: 'Held out',
  stopped: 'Stopped',
  failed: 'Failed',
};

const share = (part: number, whole: number) =>
  whole > 0 ? `${Math.round((part / whole) * 1000) / 10}%` : '—';

/** The funnel's bars in graph order, each step named as the canvas names it (its label, else its summary). */
export function funnelBars(funnel: JourneyFunnel, definition?: JourneyDefinition): FunnelBar[] {
  const nodes = new Map(definition?.nodes.map((n) => [n.id, n]));
  const bars = funnel.steps.map((step) => {
    const node = nodes.get(step.nodeId);
    const name = step.removed
      ? `${step.nodeId} (removed)`
      : (step.label ??
        node?.label ??
        (node ? summarizeNode(node) : undefined) ??
        (step.kind
          ? `${KIND_TITLES[step.kind as keyof typeof KIND_TITLES]} ${step.nodeId}`
          : step.nodeId));
    return {
      nodeId: step.nodeId,
      name,
      reached: step.reached,
      share: share(step.reached, funnel.entered),
    };
  });
  // Two steps read alike ("Leaves the journey" twice): the id tells them apart on the axis.
  const seen = new Map<string, number>();
  for (const b of bars) seen.set(b.name, (seen.get(b.name) ?? 0) + 1);
  return bars.map((b) =>
    (seen.get(b.name) ?? 0) > 1 ? { ...b, name: `${b.name} (${b.nodeId})` } : b,
  );
}

/** Exits, most frequent first, with their share of all runs that ended in the period. */
export function exitRows(funnel: JourneyFunnel): ExitRow[] {
  const total = funnel.exits.reduce((a, e) => a + e.runs, 0);
  return funnel.exits.map((e) => ({
    reason: e.reason,
    label: EXIT_LABELS[e.reason] ?? e.reason,
    runs: e.runs,
    share: share(e.runs, total),
  }));
}

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days up to `now`, as the funnel's period inputs start. */
export function lastDays(now: Date, days: number): { from: string; to: string } {
  return { from: utcDay(now.getTime() - (days - 1) * DAY_MS), to: utcDay(now.getTime()) };
}
