import { validateJourney } from '@cairn/core';
import type { ActionCatalog, JourneyDefinition, JourneyProblem } from '@cairn/core';

/**
 * The problems that would stop this journey from publishing — the same `validateJourney` the API runs,
 * so a badge on the canvas and a 422 from the server never disagree. `segmentIds` is left out when the
 * segment list is unknown, so a failed lookup never invents a problem.
 */
export function journeyProblems(
  definition: JourneyDefinition,
  catalog: ActionCatalog,
  segmentIds?: ReadonlySet<string>,
): JourneyProblem[] {
  return validateJourney(definition, {
    catalog,
    ...(segmentIds ? { segmentExists: (id: string) => segmentIds.has(id) } : {}),
  });
}

/** Problems that belong to a node, for its badge; the rest are about the journey as a whole. */
export function problemsByNode(problems: JourneyProblem[]): Map<string, JourneyProblem[]> {
  const map = new Map<string, JourneyProblem[]>();
  for (const problem of problems)
    if (problem.nodeId) map.set(problem.nodeId, [...(map.get(problem.nodeId) ?? []), problem]);
  return map;
}
