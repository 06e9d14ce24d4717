import { useEffect, useRef } from 'react';
import { useJourneys } from '../../../api/queries.js';
import { pauseWords } from './pause-words.js';

/** Asked before a running journey is paused. */
export function PauseDialog({
  journeyId,
  name,
  onPause,
  onCancel,
}: {
  journeyId: string;
  name: string;
  onPause: () => void;
  onCancel: () => void;
}) {
  // The journeys list counts runs still going (read afresh as the dialog opens).
  const inside = useJourneys().data?.find((j) => j.id === journeyId)?.stats.active;
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    keep.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);
  return (
    <div className="dialog-backdrop" onClick={onCancel}>
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="pause-title"
        data-testid="pause-dialog"
        onClick={(e) => e.stopPropagation()}
      >
        <h2 id="pause-title">Pause this journey?</h2>
        <p data-testid="pause-dialog-text">{pauseWords(name, inside)}</p>
        <div className="dialog-actions">
          <button ref={keep} onClick={onCancel} data-testid="pause-cancel">
            Keep it running
          </button>
          <button className="primary" onClick={onPause} data-testid="pause-confirm">
            Pause journey
          </button>
        </div>
      </div>
    </div>
  );
}
