import { isConditionGroup } from './condition-group.js';
import { type ConditionGroup, type SegmentCondition, type SegmentDefinition } from './schema.js';

export interface SegmentWithDefinition {
  id: string;
  definition: SegmentDefinition;
}

/** Ids of the segments this definition refers to through `segment` conditions, sorted and unique. */
export function segmentDependencies(definition: SegmentDefinition): string[] {
  const ids = new Set<string>();
  const visit = (node: SegmentCondition | ConditionGroup) => {
    if (isConditionGroup(node)) node.conditions.forEach(visit);
    else if (node.type === 'segment') ids.add(node.segmentId);
  };
  visit(definition);
  return [...ids].sort();
}

/** A membership cycle such as ['a', 'b', 'a'] (a needs b, b needs a), or null. Unknown ids are ignored. */
export function findSegmentCycle(segments: readonly SegmentWithDefinition[]): string[] | null {
  const deps = new Map(segments.map((s) => [s.id, segmentDependencies(s.definition)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    const st = state.get(id);
    if (st === 'done') return null;
    if (st === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const s of [...segments].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const cycle = visit(s.id);
    if (cycle) return cycle;
  }
  return null;
}

export class SegmentCycleError extends Error {
  constructor(readonly cycle: string[]) {
    super(
      `segments depend on each other in a cycle: ${cycle.join(' → ')}; remove one of these segment conditions`,
    );
    this.name = 'SegmentCycleError';
  }
}

/**
 * The segments ordered so that every segment comes after those it depends on (ties by id, so the order is stable).
 * Throws SegmentCycleError on a cycle.
 */
export function orderSegmentsForEvaluation<T extends SegmentWithDefinition>(
  segments: readonly T[],
): T[] {
  const cycle = findSegmentCycle(segments);
  if (cycle) throw new SegmentCycleError(cycle);
  const byId = new Map(segments.map((s) => [s.id, s]));
  const placed = new Set<string>();
  const out: T[] = [];
  const place = (s: T) => {
    if (placed.has(s.id)) return;
    placed.add(s.id);
    for (const dep of segmentDependencies(s.definition)) {
      const d = byId.get(dep);
      if (d) place(d);
    }
    out.push(s);
  };
  [...segments].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).forEach(place);
  return out;
}

/** The affinities a definition reads by name (`topCategory` / `categoryAffinity` with `affinity`), with where. */
export function affinityReferences(
  definition: SegmentDefinition,
): { path: string; affinity: string }[] {
  const found: { path: string; affinity: string }[] = [];
  const visit = (node: SegmentCondition | ConditionGroup, path: string) => {
    if (isConditionGroup(node))
      node.conditions.forEach((c, i) => visit(c, `${path}${path ? '.' : ''}conditions[${i}]`));
    else if (
      node.type === 'metric' &&
      (node.metric === 'topCategory' || node.metric === 'categoryAffinity') &&
      node.affinity !== undefined
    )
      found.push({ path: `${path}.affinity`, affinity: node.affinity });
  };
  visit(definition, '');
  return found;
}
