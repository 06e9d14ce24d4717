import { describeError } from '../../../api/client.js';
import type { PublishResult } from './usePublishFlow.js';

/** What publishing answered: the new version, or the API's problems, each linked to its step. */
export function PublishResultPanel({
  result,
  nodeIdAt,
  onSelect,
  onClose,
}: {
  result: PublishResult;
  nodeIdAt: (index: number) => string | undefined;
  onSelect: (id: string) => void;
  onClose: () => void;
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
  const { message, errors } = describeError(result.error);
  return (
    <div className="error-box" data-testid="publish-result" role="alert">
      <strong>Not published: {message}</strong>
      <button className="icon" onClick={onClose}>
        ×
      </button>
      {errors.length > 0 && (
        <ul>
          {errors.map((e, i) => {
            const match = /^nodes\[(\d+)\]/.exec(e.path);
            const nodeId = match ? nodeIdAt(Number(match[1])) : undefined;
            return (
              <li key={i}>
                {nodeId ? (
                  <button className="link" onClick={() => onSelect(nodeId)}>
                    <code>{e.path}</code>
                  </button>
                ) : (
                  <code>{e.path || '(journey)'}</code>
                )}
                : {e.message}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
