// The preview's inputs and timeline in the marketer's words: rows instead of JSON, days and clock times.
import type { JourneyNode } from '@cairn/core';

import type { DesignerCatalog } from '../../catalog.js';
import { parseLooseValue } from '../../forms/values.js';
import { cardSummary, type CardNames } from '../../nodes/card-summary.js';

/** A step as the timeline names it: its label, else what its card says ("Wait 3 days", "Enters segment VIP"). */
export function stepLabel(node: JourneyNode, catalog: DesignerCatalog, names: CardNames): string {
  if (node.label?.trim()) return node.label.trim();
  if (node.kind === 'exit') return 'Exit';
  const title =
    node.kind === 'action'
      ? catalog(node.action.type, node.action.version)?.manifest.title
      : undefined;
  return cardSummary(node, title, names);
}

const ISO_INSTANT = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g;

/**
 * The simulator's developer notes (`took "sent"`, `ran email@1`, `waits until 2026-…Z`) in words, with
 * instants as "Day 3, 09:00" and outputs and actions by the labels the canvas shows.
 */
export function timelineWords(
  what: string,
  words: {
    when: (iso: string) => string;
    outputLabel: (output: string) => string;
    actionTitle: (type: string, version: number) => string;
  },
): string {
  let match: RegExpExecArray | null;
  if ((match = /^took "([^"]+)"$/.exec(what)))
    return match[1] === 'next' ? 'moved on' : `took the “${words.outputLabel(match[1]!)}” path`;
  if ((match = /^ran (.+)@(\d+)$/.exec(what)))
    return `ran ${words.actionTitle(match[1]!, Number(match[2]))}`;
  if ((match = /^completed \(([^)]+)\)$/.exec(what)))
    return match[1] === 'exit' ? 'leaves the journey' : `leaves the journey (${match[1]})`;
  if ((match = /^received "([^"]+)"$/.exec(what))) return `did “${match[1]}”`;
  if (what === 'converted') return 'reached the goal (converted)';
  return what.replace(/"([^"]+)"/g, '“$1”').replace(ISO_INSTANT, (iso) => words.when(iso));
}

/** The contact's own time zone (trait `timezone`) when it is a real one, else the workspace's, else UTC. */
export function previewTimeZone(
  traits: Record<string, unknown>,
  workspaceTimezone?: string,
): string {
  for (const zone of [traits['timezone'], workspaceTimezone]) {
    if (typeof zone !== 'string' || zone === '') continue;
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return zone;
    } catch {
      // An unknown zone reads as none: the next one applies.
    }
  }
  return 'UTC';
}

function calendarParts(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    day: Date.UTC(Number(parts['year']), Number(parts['month']) - 1, Number(parts['day'])),
    clock: `${parts['hour']}:${parts['minute']}`,
  };
}

/**
 * "Day 3, 09:00": the calendar day after entering (day 0 is the day they enter) and the clock time, both
 * in the contact's time zone, so a "wait until 09:00" step reads 09:00.
 */
export function dayAndTime(startAt: string, at: string, timeZone: string): string {
  const start = calendarParts(new Date(startAt), timeZone);
  const when = calendarParts(new Date(at), timeZone);
  return `Day ${Math.round((when.day - start.day) / 86_400_000)}, ${when.clock}`;
}

export type TraitRow = { name: string; value: string };

/** Trait rows as the contact's traits: numbers and true/false typed, blank names skipped. */
export function traitsFromRows(rows: TraitRow[]): Record<string, unknown> {
  const traits: Record<string, unknown> = {};
  for (const row of rows) if (row.name.trim()) traits[row.name.trim()] = parseLooseValue(row.value);
  return traits;
}

/**
 * `revenue: 40, sku: A-1` as event properties; a part without a colon is a mistake named by its text.
 */
export function parseProperties(text: string): {
  properties: Record<string, unknown>;
  error?: string;
} {
  const properties: Record<string, unknown> = {};
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const colon = part.indexOf(':');
    if (colon <= 0)
      return {
        properties,
        error: `“${part.trim()}” needs a name and a value, e.g. “revenue: 40”`,
      };
    properties[part.slice(0, colon).trim()] = parseLooseValue(part.slice(colon + 1).trim());
  }
  return { properties };
}
