import { useState } from 'react';
import { AlertDialog } from './AlertDialog.js';
import { keptAgo } from '../../../graph/local-draft.js';
import type { RestoreOffer } from '../../../graph/local-draft.js';

/** Offered when the journey opens with edits kept on this computer that were never saved. */
export function RestoreBanner({
  offer,
  onRestore,
  onDiscard,
}: {
  offer: RestoreOffer;
  onRestore: () => void;
  onDiscard: () => void;
}) {
  return (
    <div className="notice restore-banner" role="status" data-testid="restore-draft">
      <span>
        Unsaved changes to this journey from {keptAgo(offer.savedAt, new Date())} were kept on this
        computer.
        {offer.serverChanged && ' The saved draft has changed since; restoring replaces it.'}
      </span>
      <span className="spacer" />
      <button className="primary" onClick={onRestore} data-testid="restore-draft-accept">
        Restore them
      </button>
      <button onClick={onDiscard} data-testid="restore-draft-discard">
        Discard
      </button>
    </div>
  );
}

/** Asked when the marketer moves elsewhere in the app with unsaved changes. */
export function LeaveDialog({
  canSave,
  onSaveAndLeave,
  onDiscard,
  onStay,
}: {
  canSave: boolean;
  onSaveAndLeave: () => Promise<void>;
  onDiscard: () => void;
  onStay: () => void;
}) {
  const [saving, setSaving] = useState(false);
  return (
    <AlertDialog title="Leave without saving?" testId="leave-dialog" onCancel={onStay}>
      <p>
        This journey has changes that are not saved. Save them as the draft, or discard them and go
        on.
      </p>
      <div className="dialog-actions">
        <button onClick={onStay} data-testid="leave-stay">
          Keep editing
        </button>
        <button onClick={onDiscard} data-testid="leave-discard">
          Discard changes
        </button>
        <button
          className="primary"
          disabled={!canSave || saving}
          title={canSave ? undefined : 'Your role cannot save drafts'}
          onClick={() => {
            setSaving(true);
            void onSaveAndLeave().finally(() => setSaving(false));
          }}
          data-testid="leave-save"
        >
          {saving ? 'Saving…' : 'Save draft and leave'}
        </button>
      </div>
    </AlertDialog>
  );
}
