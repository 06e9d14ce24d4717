import { useState } from 'react';
import { isEmptyDiff } from '../../../graph/diff.js';
import { ErrorBox } from '../../ErrorBox.js';
import type { PublishReview } from './usePublishFlow.js';

/** Before publishing: the changes against the live version, and whether to enrol the segment's current members. */
export function PublishReviewPanel({
  review,
  nextVersion,
  stepCount,
  onConfirm,
  onCancel,
}: {
  review: PublishReview;
  nextVersion: number;
  stepCount: number;
  onConfirm: (enrollExisting: boolean) => void;
  onCancel: () => void;
}) {
  const { diff, existingMembers } = review;
  // Off by default: publishing alone never enrols people who were already in the segment.
  const [enrollExisting, setEnrollExisting] = useState(false);
  const section = (title: string, items: string[], testId: string) =>
    items.length > 0 && (
      <div data-testid={testId}>
        <strong>{title}</strong>
        <ul>
          {items.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      </div>
    );
  return (
    <div className="review-box" data-testid="publish-review">
      <div className="review-head">
        <strong>
          Publish version {nextVersion}
          {review.previousVersion !== undefined
            ? ` (changes since v${review.previousVersion})`
            : ` — first version, ${stepCount} steps`}
        </strong>
        <span className="spacer" />
        <button onClick={onCancel}>Cancel</button>
        <button
          className="primary"
          onClick={() => onConfirm(enrollExisting && existingMembers !== undefined)}
          data-testid="publish-confirm"
        >
          Publish v{nextVersion}
        </button>
      </div>
      {existingMembers && (
        <label className="review-existing" data-testid="publish-existing-members">
          <input
            type="checkbox"
            checked={enrollExisting}
            onChange={(e) => setEnrollExisting(e.target.checked)}
            data-testid="publish-enroll-existing"
          />{' '}
          Also enrol the {existingMembers.count.toLocaleString()}{' '}
          {existingMembers.count === 1 ? 'contact' : 'contacts'} already in “
          {existingMembers.segmentName}”
          <span className="muted"> (otherwise only contacts who enter it from now on)</span>
        </label>
      )}
      {review.error !== undefined && <ErrorBox error={review.error} />}
      {diff && isEmptyDiff(diff) && (
        <p className="muted">No changes to steps, connections or settings.</p>
      )}
      {diff && (
        <div className="review-columns">
          {section(
            'Added steps',
            diff.added.map((n) => `+ ${n.label}`),
            'diff-added',
          )}
          {section(
            'Removed steps',
            diff.removed.map((n) => `− ${n.label}`),
            'diff-removed',
          )}
          {section(
            'Changed steps',
            diff.changed.map((n) => `~ ${n.label}: ${n.fields.join(', ')}`),
            'diff-changed',
          )}
          {section('New connections', diff.connectionsAdded, 'diff-connections-added')}
          {section('Removed connections', diff.connectionsRemoved, 'diff-connections-removed')}
          {section(
            'Settings',
            diff.settingsChanged.map((f) => `~ ${f}`),
            'diff-settings',
          )}
        </div>
      )}
    </div>
  );
}
