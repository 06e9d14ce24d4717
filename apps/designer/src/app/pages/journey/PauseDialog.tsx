import { useJourneys } from '../../../api/queries.js';
import { pauseWords } from './pause-words.js';
import { AlertDialog } from './AlertDialog.js';

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
  return (
    <AlertDialog title="Pause this journey?" testId="pause-dialog" onCancel={onCancel}>
      <p data-testid="pause-dialog-text">{pauseWords(name, inside)}</p>
      <div className="dialog-actions">
        <button onClick={onCancel} data-testid="pause-cancel">
          Keep it running
        </button>
        <button className="primary" onClick={onPause} data-testid="pause-confirm">
          Pause journey
        </button>
      </div>
    </AlertDialog>
  );
}
