import { useEffect, useRef, useState } from 'react';
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
  const stay = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    stay.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onStay();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onStay]);
  return (
    <div className="dialog-backdrop" onClick={onStay}>
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="leave-title"
        data-testid="leave-dialog"
        onClick={(e) => e.stopPropagation()}
      >
        <h2 id="leave-title">Leave without saving?</h2>
        <p>
          This journey has changes that are not saved. Save them as the draft, or discard them and
          go on.
        </p>
        <div className="dialog-actions">
          <button ref={stay} onClick={onStay} data-testid="leave-stay">
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
      </div>
    </div>
  );
}
