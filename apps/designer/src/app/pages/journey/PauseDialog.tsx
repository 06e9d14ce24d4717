import { useEffect, useRef } from 'react';
import { useJourneys } from '../../../api/queries.js';

/** What pausing does, said before it happens: who is inside and what becomes of them. */
export function pauseWords(name: string, inside: number | undefined): string {
  const who =
    inside === undefined
      ? 'Contacts already inside'
      : inside === 0
        ? 'Nobody is inside right now. Contacts who would enter'
        : `${inside.toLocaleString('en-US')} ${inside === 1 ? 'contact is' : 'contacts are'} inside “${name}”. Each`;
  return inside === 0
    ? `${who} are not enrolled while it is paused.`
    : `${who} ${inside === undefined ? 'stop' : 'stops'} before ${inside === undefined ? 'their' : 'its'} next step and ${inside === undefined ? 'wait' : 'waits'} there until you resume; messages already sent stay sent. Nobody new enters while it is paused.`;
}

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
