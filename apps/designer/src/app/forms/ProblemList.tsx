import type { JourneyDefinition, JourneyProblem } from '@cairn/core';
import type { DesignerCatalog } from '../catalog.js';
import { describeProblem } from './problem-words.js';

/**
 * Problems in the marketer's words, each naming its step; a click on one selects that step. The
 * validator's path stays under each, small, for the developer reading the API's answer.
 */
export function ProblemList({
  problems,
  definition,
  catalog,
  onSelect,
  className = 'issues',
  testId,
}: {
  problems: JourneyProblem[];
  definition: Pick<JourneyDefinition, 'nodes'>;
  catalog: DesignerCatalog;
  onSelect?: (nodeId: string) => void;
  className?: string;
  testId?: string;
}) {
  return (
    <ul className={className} data-testid={testId}>
      {problems.map((problem, i) => {
        const worded = describeProblem(problem, definition, catalog);
        return (
          <li key={i} data-testid={testId && `${testId}-${i}`}>
            {worded.nodeId && onSelect ? (
              <button className="link" onClick={() => onSelect(worded.nodeId!)}>
                {worded.text}
              </button>
            ) : (
              worded.text
            )}
            {worded.path && <code className="problem-path">{worded.path}</code>}
          </li>
        );
      })}
    </ul>
  );
}
