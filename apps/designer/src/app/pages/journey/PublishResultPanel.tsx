import type { JourneyDefinition } from '@cairn/core';
import type { DesignerCatalog } from '../../catalog.js';
import { ProblemList } from '../../forms/ProblemList.js';
import { publishRefusal } from './publish-problems.js';
import type { PublishResult } from './usePublishFlow.js';

/** What publishing answered: the new version, or what to fix in words, each problem linked to its step. */
export function PublishResultPanel({
  result,
  nodeIdAt,
  onSelect,
  onClose,
  definition,
  catalog,
}: {
  result: PublishResult;
  nodeIdAt: (index: number) => string | undefined;
  onSelect: (id: string) => void;
  onClose: () => void;
  definition: Pick<JourneyDefinition, 'nodes'>;
  catalog: DesignerCatalog;
}) {
  if (result.ok)
    return (
      <div className="success-box" data-testid="publish-result">
        Published version {result.version}. New contacts enter this version; contacts already inside
        stay on theirs.
        {result.existingQueued !== undefined &&
          ` ${result.existingQueued.toLocaleString()} contacts already in the segment are being enrolled.`}
        <button className="icon" onClick={onClose}>
          ×
        </button>
      </div>
    );
  const { headline, problems } = publishRefusal(result.error, nodeIdAt);
  return (
    <div className="error-box" data-testid="publish-result" role="alert">
      <strong>Not published: {headline}</strong>
      <button className="icon" onClick={onClose}>
        ×
      </button>
      {problems.length > 0 && (
        <ProblemList
          problems={problems}
          definition={definition}
          catalog={catalog}
          onSelect={onSelect}
          className=""
          testId="publish-problems"
        />
      )}
    </div>
  );
}
