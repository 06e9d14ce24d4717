import { needsRole } from '../../roles.js';
import { useCan } from '../../session.js';
import { useState } from 'react';
import type { PublishFlow } from './usePublishFlow.js';
import { PauseDialog } from './PauseDialog.js';

/** The editor's header: name and status, undo/redo, layout, simulate, pause/resume, save and publish. */
export function EditorToolbar({
  name,
  flow,
  canUndo,
  canRedo,
  onUndo,
  onRedo,
  onRelayout,
  simulating,
  onToggleSimulate,
  problemCount,
  onToggleProblems,
  journeyId,
}: {
  name: string;
  flow: PublishFlow;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onRelayout: () => void;
  simulating: boolean;
  onToggleSimulate: () => void;
  problemCount: number;
  onToggleProblems: () => void;
  journeyId: string;
}) {
  const canEdit = useCan('editDrafts');
  const canGoLive = useCan('goLive');
  const [askPause, setAskPause] = useState(false);
  return (
    <header className="editor-toolbar">
      <a href="#/journeys" className="back">
        ← Journeys
      </a>
      <h1>{name}</h1>
      <span className={`status status-${flow.status}`} data-testid="journey-status">
        {flow.status}
        {flow.publishedVersion !== undefined && (
          <span className="status-version"> · v{flow.publishedVersion}</span>
        )}
      </span>
      {flow.dirty && (
        <span className="muted small" data-testid="unsaved">
          Unsaved changes
        </span>
      )}
      {!flow.dirty && flow.notice && <span className="muted small">{flow.notice}</span>}
      <span className="spacer" />
      <button onClick={() => onUndo()} disabled={!canUndo} title="Undo (Ctrl+Z)" data-testid="undo">
        ↶
      </button>
      <button
        onClick={() => onRedo()}
        disabled={!canRedo}
        title="Redo (Ctrl+Shift+Z)"
        data-testid="redo"
      >
        ↷
      </button>
      <button onClick={onRelayout} data-testid="auto-layout">
        Auto-layout
      </button>
      <button
        className={simulating ? 'active' : ''}
        onClick={onToggleSimulate}
        data-testid="simulate"
        title="Preview one contact's path on a virtual clock"
      >
        Simulate
      </button>
      {flow.status === 'published' && (
        <button
          onClick={() => setAskPause(true)}
          disabled={!!flow.busy || !canGoLive}
          title={canGoLive ? undefined : needsRole('goLive')}
          data-testid="pause"
        >
          Pause
        </button>
      )}
      {askPause && (
        <PauseDialog
          journeyId={journeyId}
          name={name}
          onCancel={() => setAskPause(false)}
          onPause={() => {
            setAskPause(false);
            void flow.setRunning(false);
          }}
        />
      )}
      {flow.status === 'paused' && (
        <button
          onClick={() => void flow.setRunning(true)}
          disabled={!!flow.busy || !canGoLive}
          title={canGoLive ? undefined : needsRole('goLive')}
          data-testid="resume"
        >
          Resume
        </button>
      )}
      <button
        onClick={() => void flow.save()}
        disabled={!!flow.busy || !canEdit}
        title={canEdit ? undefined : needsRole('editDrafts')}
        data-testid="save-draft"
      >
        {flow.busy === 'save' ? 'Saving…' : 'Save draft'}
      </button>
      {problemCount > 0 && (
        <button className="problems-chip" onClick={onToggleProblems} data-testid="journey-problems">
          {problemCount} {problemCount === 1 ? 'problem' : 'problems'}
        </button>
      )}
      <button
        className="primary"
        onClick={() => void flow.reviewPublish()}
        disabled={!!flow.busy || problemCount > 0 || !canGoLive}
        title={
          !canGoLive
            ? needsRole('goLive')
            : problemCount > 0
              ? 'Fix the problems marked on the canvas first'
              : 'Review the changes and publish'
        }
        data-testid="publish"
      >
        {flow.busy === 'publish' ? 'Publishing…' : 'Publish'}
      </button>
    </header>
  );
}
