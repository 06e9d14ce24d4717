import type { z } from 'zod';
import { formatIssuePath, joinIssuePath, tooDeepIssue, type FieldIssue } from '../events/issues.js';
import { DEFAULT_PROFILE_SETTINGS } from '../profile/types.js';
import { isConditionGroup } from './condition-group.js';
import {
  METRIC_NAMES,
  SegmentDefinitionSchema,
  type ConditionGroup,
  type SegmentCondition,
  type SegmentDefinition,
} from './schema.js';

export interface ValidateSegmentOptions {
  /** When given, `segment` conditions must name one of these ids. */
  knownSegmentIds?: Iterable<string>;
  /** The profile keeps per-day history this long; longer windows cannot be answered (default 400). */
  profileWindowDays?: number;
}

export type SegmentValidation =
  { ok: true; definition: SegmentDefinition; issues: [] } | { ok: false; issues: FieldIssue[] };

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (
    issue.code === 'invalid_union' &&
    'note' in issue &&
    issue.note === 'No matching discriminator'
  ) {
    const field = String(issue.path[issue.path.length - 1] ?? 'type');
    const options =
      'options' in issue && Array.isArray(issue.options)
        ? (issue.options as unknown[]).map(String)
        : [];
    const got = readAt(input, issue.path);
    if (field === 'metric')
      return `unknown metric ${JSON.stringify(got)}; use one of ${METRIC_NAMES.join(', ')}`;
    return `${got === undefined ? 'is missing' : `${JSON.stringify(got)} is not allowed here`}; use one of ${options.join(', ')}`;
  }
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'}`;
  return issue.message;
}

function readAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

/**
 * Checks a segment definition and lists every problem with its JSON path, e.g.
 * `conditions[1].conditions[0].window.amount: must be ≥ 1`.
 */
/** How deeply a definition may nest, in JSON levels. */
export const MAX_SEGMENT_DEPTH = 24;

export function validateSegmentDefinition(
  definition: unknown,
  options: ValidateSegmentOptions = {},
): SegmentValidation {
  // Each group is two levels (the group and its conditions list): 24 allows groups about ten deep.
  const tooDeep = tooDeepIssue(definition, MAX_SEGMENT_DEPTH);
  if (tooDeep)
    return {
      ok: false,
      issues: [
        {
          ...tooDeep,
          message: `${tooDeep.message}: groups inside groups rarely need more than three levels`,
        },
      ],
    };
  const parsed = SegmentDefinitionSchema.safeParse(definition);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: formatIssuePath(i.path),
      message: describeIssue(i, definition),
    }));
    if (issues.some((i) => i.path === 'type')) {
      for (const i of issues)
        if (i.path === 'type')
          i.message = `a segment definition is a group: use all, any or none (${i.message})`;
    }
    return { ok: false, issues };
  }
  const issues: FieldIssue[] = [];
  const known = options.knownSegmentIds ? new Set(options.knownSegmentIds) : undefined;
  const maxDays = options.profileWindowDays ?? DEFAULT_PROFILE_SETTINGS.windowDays;
  const visit = (node: SegmentCondition | ConditionGroup, path: string) => {
    if (isConditionGroup(node)) {
      node.conditions.forEach((c, i) => visit(c, joinIssuePath(path, ['conditions', i])));
      return;
    }
    if (node.type === 'segment' && known && !known.has(node.segmentId)) {
      issues.push({
        path: joinIssuePath(path, ['segmentId']),
        message: `unknown segment ${JSON.stringify(node.segmentId)}; pick an existing segment id`,
      });
    }
    const window = 'window' in node ? node.window : undefined;
    if (window) {
      const days =
        window.unit === 'weeks' ? window.amount * 7 : window.unit === 'days' ? window.amount : 0;
      if (days > maxDays) {
        issues.push({
          path: joinIssuePath(path, ['window', 'amount']),
          message: `must be ≤ ${maxDays} days: the profile keeps ${maxDays} days of history`,
        });
      }
    }
  };
  visit(parsed.data, '');
  return issues.length === 0
    ? { ok: true, definition: parsed.data, issues: [] }
    : { ok: false, issues };
}
