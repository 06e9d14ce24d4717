// A validation problem in the marketer's words: which step (by its name), and what to do about it.
import type { JourneyDefinition, JourneyNode, JourneyProblem } from '@cairn/core';
import { KIND_TITLES } from '../../graph/summary.js';
import type { DesignerCatalog } from '../catalog.js';
import { messageTemplateField } from '../templates.js';
import { MESSAGE_FIELD_WORDS } from './message-words.js';

export type WordedProblem = {
  /** "Send email step 'Win-back': add a subject". */
  text: string;
  /** The developer's path, e.g. `nodes[3].config.subject`, kept for a small secondary line. */
  path: string;
  nodeId?: string;
};

// The last key of a step field, in words; keys not listed are split from camelCase.
const FIELD_WORDS: Record<string, string> = {
  segmentId: 'segment',
  event: 'event',
  trait: 'date trait',
  key: 'run key',
  duration: 'wait',
  timeout: 'time limit',
  field: 'date',
  at: 'date and time',
  defaultTimezone: 'time zone',
  path: 'property',
  weight: 'share',
  label: 'name',
  templateId: 'template',
  journeyId: 'journey',
  template: 'template',
  entryEndsAt: 'entry end date',
  entryStartsAt: 'entry start date',
  holdoutPercent: 'holdout',
  exitOnSegmentExit: '“leave when they leave the trigger segment” option',
};

function humanise(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** "HTML body" keeps its capitals; "Subject" reads "subject" inside a sentence. */
function inSentence(title: string): string {
  return /^[A-Z][a-z]/.test(title) ? title[0]!.toLowerCase() + title.slice(1) : title;
}

function article(words: string): string {
  return /^([aeiou]|HTML|SMS|URL)/i.test(words) && !/^(u[a-z]{2}r|eu)/i.test(words) ? 'an' : 'a';
}

function nodeTitle(node: JourneyNode, catalog: DesignerCatalog): string {
  return node.kind === 'action'
    ? (catalog(node.action.type, node.action.version)?.manifest.title ?? node.action.type)
    : KIND_TITLES[node.kind];
}

/** "Send email step 'Win-back'": the step's kind and its name on the canvas (its id when unnamed). */
export function stepName(node: JourneyNode, catalog: DesignerCatalog): string {
  const label = node.label?.trim();
  // A journey has one trigger: "The trigger" names it well enough when it has no label.
  if (node.kind === 'trigger') return label ? `Trigger '${label}'` : 'The trigger';
  return `${nodeTitle(node, catalog)} step '${label || node.id}'`;
}

type SchemaNode = {
  properties?: Record<string, { title?: string }>;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
};

/** A config field's title from the manifest's schema, looking inside alternatives (inline or template). */
function configTitle(schema: unknown, key: string): string | undefined {
  const node = schema as SchemaNode | undefined;
  if (!node || typeof node !== 'object') return undefined;
  const own = node.properties?.[key]?.title;
  if (own) return own;
  for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) {
    const found = configTitle(branch, key);
    if (found) return found;
  }
  return undefined;
}

/** A step drawn by MessageStepForm (its content may come from the template library), so worded as it is. */
function isMessageStep(node: JourneyNode, catalog: DesignerCatalog): boolean {
  if (node.kind !== 'action') return false;
  const hints = catalog(node.action.type, node.action.version)?.manifest.uiHints;
  return messageTemplateField(hints) !== undefined;
}

/** The field a problem is about, in words: a config field by its manifest title, others by their key. */
export function fieldWords(node: JourneyNode | undefined, field: string, catalog: DesignerCatalog) {
  const keys = field.split(/[.[\]]/).filter((k) => k !== '' && !/^\d+$/.test(k));
  if (keys.length === 0) return '';
  if (node?.kind === 'action' && keys[0] === 'config' && keys[1]) {
    const title =
      (isMessageStep(node, catalog) ? MESSAGE_FIELD_WORDS[keys[1]]?.title : undefined) ??
      configTitle(
        catalog(node.action.type, node.action.version)?.manifest.configJsonSchema,
        keys[1],
      );
    if (title) return inSentence(title);
    return FIELD_WORDS[keys[1]] ?? humanise(keys[1]);
  }
  const last = keys[keys.length - 1]!;
  const meaningful = last === 'amount' || last === 'unit' ? (keys[keys.length - 2] ?? last) : last;
  return FIELD_WORDS[meaningful] ?? humanise(meaningful);
}

/** An output as the card's handle names it: an action's label, a split's branch or variant label. */
export function outputLabel(node: JourneyNode, output: string, catalog: DesignerCatalog): string {
  const label =
    node.kind === 'action'
      ? (catalog(node.action.type, node.action.version)?.outputLabels[output] ?? output)
      : node.kind === 'multiSplit'
        ? (node.branches.find((b) => b.id === output)?.label ?? output)
        : node.kind === 'randomSplit'
          ? (node.variants.find((v) => v.id === output)?.label ?? output)
          : output;
  // "Skipped (unsubscribed or no address)" is named by its first words, as the card's handle reads.
  const short = label.replace(/ \(.*\)$/, '');
  return short.charAt(0).toUpperCase() + short.slice(1);
}

/** The fix, said plainly, from the validator's `<field> <message>` (or `<message>` for the whole step). */
function fixFor(node: JourneyNode, field: string, rest: string, catalog: DesignerCatalog): string {
  const words = fieldWords(node, field, catalog);
  let match: RegExpExecArray | null;
  if (words && /^(is required|must not be empty)\b/.test(rest))
    return `add ${article(words)} ${words}`;
  if (words && /^must name\b/.test(rest)) return `choose ${article(words)} ${words}`;
  if ((match = /^refers to (segment|template) "([^"]*)", which does not exist/.exec(rest)))
    return `choose another ${match[1]}: the one it used (“${match[2]}”) no longer exists`;
  if ((match = /^output "([^"]+)" is not connected/.exec(rest)))
    return `connect its “${outputLabel(node, match[1]!, catalog)}” output to a next step or an Exit`;
  if (/^cannot be reached from the trigger/.test(rest))
    return 'nothing leads to this step: connect an earlier step to it, or delete it';
  const plain = rest.replace(/ — /g, ': ');
  return words ? `the ${words} ${plain}` : plain;
}

/** Turns one of validateJourney's problems into a sentence naming the step by its label. */
export function describeProblem(
  problem: JourneyProblem,
  definition: Pick<JourneyDefinition, 'nodes'>,
  catalog: DesignerCatalog,
): WordedProblem {
  const base = { path: problem.path, ...(problem.nodeId ? { nodeId: problem.nodeId } : {}) };
  const node = problem.nodeId ? definition.nodes.find((n) => n.id === problem.nodeId) : undefined;
  const [, prefix, detail] = /^((?:node|edge) "[^"]*"(?: \([^)]*\))?|[\w.[\]]+): (.*)$/s.exec(
    problem.message,
  ) ?? [undefined, undefined, problem.message];
  if (node) {
    // The path names the step (nodes[3]) then the field the message starts with (config.subject).
    const field = problem.path.replace(/^nodes\[\d+\]\.?/, '');
    const rest =
      field && detail!.startsWith(`${field} `) ? detail!.slice(field.length + 1) : detail!;
    return { ...base, text: `${stepName(node, catalog)}: ${fixFor(node, field, rest, catalog)}` };
  }
  if (prefix?.startsWith('settings.')) {
    const words = fieldWords(undefined, prefix, catalog);
    const sentence = detail!
      .replace(/settings\.([\w.]+)/g, (_, key: string) => fieldWords(undefined, key, catalog))
      .replace(/ — /g, ': ');
    return { ...base, text: `Journey settings: the ${words} ${sentence}` };
  }
  if (prefix === 'journey')
    return { ...base, text: `This journey ${detail!.replace(/ — /g, ': ')}` };
  return { ...base, text: problem.message.replace(/ — /g, ': ') };
}
