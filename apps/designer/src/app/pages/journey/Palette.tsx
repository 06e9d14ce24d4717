import { JOURNEY_KINDS } from '../../../graph/definition.js';
import { KIND_TITLES } from '../../../graph/summary.js';
import type { ActionManifest } from '../../../api/client.js';
import type { StepChoice } from '../../nodes/context.js';
import { actionIcon, kindIcon } from '../../nodes/icons.js';
import { DRAG_MIME } from './canvas-model.js';

/** The steps a marketer can add: drag onto the canvas, or click to attach under the selected step. */
export function Palette({
  actions,
  onAdd,
}: {
  actions: ActionManifest[];
  onAdd: (c: StepChoice) => void;
}) {
  const item = (choice: StepChoice, testId: string, label: string, icon: string) => (
    <button
      key={testId}
      className="palette-item"
      data-testid={testId}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_MIME, JSON.stringify(choice));
        e.dataTransfer.effectAllowed = 'move';
      }}
      onClick={() => onAdd(choice)}
      title="Drag onto the canvas, or click to add"
    >
      <span className="node-icon">{icon}</span> {label}
    </button>
  );
  return (
    <aside className="palette">
      <div className="palette-heading">Flow</div>
      {JOURNEY_KINDS.filter((k) => k !== 'trigger' && k !== 'action').map((kind) =>
        item({ kind }, `palette-${kind}`, KIND_TITLES[kind], kindIcon(kind)),
      )}
      <div className="palette-heading">Actions</div>
      {actions.map((a) =>
        item(
          { kind: 'action', action: { type: a.type, version: a.version } },
          `palette-action-${a.type}`,
          a.title,
          actionIcon(a.icon),
        ),
      )}
      {actions.length === 0 && <p className="muted small">No actions registered.</p>}
    </aside>
  );
}
