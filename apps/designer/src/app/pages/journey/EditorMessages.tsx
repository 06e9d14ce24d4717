import type { JourneyDefinition, JourneyProblem } from '@cairn/core';
import type { DesignerCatalog } from '../../catalog.js';
import { ErrorBox } from '../../ErrorBox.js';
import { ProblemList } from '../../forms/ProblemList.js';
import { PublishResultPanel } from './PublishResultPanel.js';
import { PublishReviewPanel } from './PublishReviewPanel.js';
import type { PublishFlow } from './usePublishFlow.js';

/** Under the toolbar: the problems to fix, the publish review, a failed save and what publishing answered. */
export function EditorMessages({
  flow,
  issues,
  showProblems,
  onCloseProblems,
  nodeIds,
  onSelect,
  definition,
  catalog,
}: {
  flow: PublishFlow;
  issues: JourneyProblem[];
  showProblems: boolean;
  onCloseProblems: () => void;
  /** The steps' ids in definition order: the API names a step by its index. */
  nodeIds: string[];
  onSelect: (id: string) => void;
  /** For naming each problem's step by its label, in words. */
  definition: Pick<JourneyDefinition, 'nodes'>;
  catalog: DesignerCatalog;
}) {
  if (!(flow.saveError || flow.publishResult || flow.review || (showProblems && issues.length > 0)))
    return null;
  return (
    <div className="editor-messages">
      {showProblems && issues.length > 0 && (
        <div className="error-box" data-testid="problems-list">
          <strong>Fix these before publishing</strong>
          <button className="icon" onClick={onCloseProblems}>
            ×
          </button>
          <ProblemList
            problems={issues}
            definition={definition}
            catalog={catalog}
            onSelect={onSelect}
            className=""
            testId="problems-list-items"
          />
        </div>
      )}
      {flow.review && (
        <PublishReviewPanel
          review={flow.review}
          nextVersion={(flow.publishedVersion ?? 0) + 1}
          stepCount={nodeIds.length}
          onConfirm={(enrollExisting) => void flow.publish(enrollExisting)}
          onCancel={flow.closeReview}
        />
      )}
      <ErrorBox error={flow.saveError} testId="save-error" />
      {flow.publishResult && (
        <PublishResultPanel
          result={flow.publishResult}
          nodeIdAt={(index) => nodeIds[index]}
          onSelect={onSelect}
          onClose={flow.closePublishResult}
          definition={definition}
          catalog={catalog}
        />
      )}
    </div>
  );
}
