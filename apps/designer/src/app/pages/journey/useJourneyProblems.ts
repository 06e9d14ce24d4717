import { useMemo, useRef } from 'react';
import type { JourneyDefinition, JourneyProblem } from '@cairn/core';
import { journeyProblems, problemsByNode } from '../../../graph/issues.js';
import type { DesignerCatalog } from '../../catalog.js';
import { sameButPositions } from './canvas-model.js';

/** The journey's problems, overall and by step. */
export function useJourneyProblems(
  definition: JourneyDefinition,
  catalog: DesignerCatalog,
  segmentIds: ReadonlySet<string> | undefined,
) {
  // The same validator the API runs on publish: a badge here means a 422 there. Moving steps cannot
  // change its verdict, so a drag (one 'move' per frame) reuses the last answer instead of re-validating.
  const validated = useRef<{
    definition: JourneyDefinition;
    catalog: unknown;
    segmentIds: unknown;
    issues: JourneyProblem[];
  } | null>(null);
  const issues: JourneyProblem[] = useMemo(() => {
    const last = validated.current;
    if (
      last &&
      last.catalog === catalog &&
      last.segmentIds === segmentIds &&
      sameButPositions(last.definition, definition)
    )
      return last.issues;
    const next = journeyProblems(definition, catalog, segmentIds);
    validated.current = { definition, catalog, segmentIds, issues: next };
    return next;
  }, [definition, catalog, segmentIds]);
  const issuesByNode = useMemo(() => problemsByNode(issues), [issues]);
  return { issues, issuesByNode };
}
