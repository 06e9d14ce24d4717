// The one line a step card reads, with names where the definition holds ids (segments, journeys, templates).
import type { BranchCondition, JourneyNode } from '@cairn/core';
import { summarizeNode } from '../../graph/summary.js';

/** Names the workspace gives to the ids a step refers to; undefined while unknown (the id is shown). */
export type CardNames = {
  segment: (id: string) => string | undefined;
  journey: (id: string) => string | undefined;
  template: (id: string) => string | undefined;
};

const named = (id: string, lookup: (id: string) => string | undefined) =>
  id ? (lookup(id) ?? id) : '?';

function segmentCondition(c: BranchCondition, names: CardNames): string | undefined {
  return c.on === 'segment'
    ? `${c.member ? 'In' : 'Not in'} segment ${named(c.segmentId, names.segment)}`
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * A subject as a marketer reads it on a card: Liquid tags gone, each output shown by the name it prints
 * ("Hi{% if contact.traits.firstName %}, {{ contact.traits.firstName }}{% endif %}" reads "Hi, [firstName]").
 */
export function readableSubject(subject: string): string {
  return subject
    .replace(/\{%-?[\s\S]*?-?%\}/g, '')
    .replace(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g, (_, expression: string) => {
      const path = (expression.split('|')[0] ?? '').trim();
      const name = path
        .split(/[.[]/)
        .pop()
        ?.replace(/[\]'"]/g, '');
      return name ? `[${name}]` : '';
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** What a message step sends: its subject (or title), or the saved template it is pinned to. */
function messageLine(config: Record<string, unknown>, names: CardNames): string | undefined {
  const subject = text(config['subject']) ?? text(config['title']);
  if (subject) return `“${readableSubject(subject)}”`;
  const pinned = config['template'] as { id?: unknown; version?: unknown } | undefined;
  if (pinned && typeof pinned.id === 'string' && pinned.id)
    return `Template ${named(pinned.id, names.template)}${typeof pinned.version === 'number' ? ` (v${pinned.version})` : ''}`;
  return undefined;
}

/**
 * "Enters segment At-risk buyers", "“We miss you, {{ traits.first_name }}”", "Start journey: Onboarding":
 * the summary a marketer recognises; everything else reads as graph/summary words it.
 */
export function cardSummary(node: JourneyNode, actionTitle: string | undefined, names: CardNames) {
  switch (node.kind) {
    case 'trigger':
      if (node.trigger.type === 'segmentEntered')
        return `Enters segment ${named(node.trigger.segmentId, names.segment)}`;
      break;
    case 'branch':
    case 'goal':
      return segmentCondition(node.condition, names) ?? summarizeNode(node, actionTitle);
    case 'action': {
      const journeyId = text(node.config['journeyId']);
      const title = actionTitle ?? node.action.type;
      if (journeyId) {
        const target = `${title}: ${named(journeyId, names.journey)}`;
        return node.label ? `${node.label} · ${target}` : target;
      }
      const message = messageLine(node.config, names);
      if (message) return node.label ? `${node.label} · ${message}` : message;
      break;
    }
    default:
      break;
  }
  return summarizeNode(node, actionTitle);
}

/** The segment, journey and template ids a step refers to, so the card reads only the lists it needs. */
export function referencedKinds(node: JourneyNode) {
  const segment =
    (node.kind === 'trigger' && node.trigger.type === 'segmentEntered') ||
    ((node.kind === 'branch' || node.kind === 'goal') && node.condition.on === 'segment');
  const journey = node.kind === 'action' && text(node.config['journeyId']) !== undefined;
  const template =
    node.kind === 'action' &&
    typeof (node.config['template'] as { id?: unknown } | undefined)?.id === 'string';
  return { segment, journey, template };
}
