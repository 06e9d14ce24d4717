import { useEffect, useRef } from 'react';
import { JOURNEY_KINDS } from '../../graph/definition.js';
import { KIND_TITLES } from '../../graph/summary.js';
import type { EditorView, StepChoice } from './context.js';
import { actionIcon, kindIcon } from './icons.js';

/**
 * The "+" under an output: a new step of any kind, or a step already on the canvas. Closes on Escape and
 * on a click anywhere outside it (the canvas, another step), as menus do.
 */
export function AddMenu({
  nodeId,
  view,
  onPick,
  onConnect,
  onClose,
  testId,
}: {
  nodeId: string;
  view: EditorView;
  onPick: (c: StepChoice) => void;
  onConnect: (targetId: string) => void;
  onClose: () => void;
  testId: string;
}) {
  const menu = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close.current();
    // Capture, because React Flow stops the pointer events it handles from bubbling to the document.
    const onPointer = (e: PointerEvent) => {
      const target = e.target as Node | null;
      const toggle = (target as Element | null)?.closest?.('.add-after');
      if (!menu.current?.contains(target) && !toggle) close.current();
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer, true);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer, true);
    };
  }, []);
  const targets = view.targets(nodeId);

  return (
    <div
      ref={menu}
      className="add-menu nodrag nowheel"
      role="menu"
      data-testid={testId}
      onClick={(e) => e.stopPropagation()}
    >
      {JOURNEY_KINDS.filter((k) => k !== 'trigger' && k !== 'action').map((kind) => (
        <button key={kind} data-testid={`${testId}-${kind}`} onClick={() => onPick({ kind })}>
          {kindIcon(kind)} {KIND_TITLES[kind]}
        </button>
      ))}
      {view.actions.map((a) => (
        <button
          key={a.type}
          data-testid={`${testId}-action-${a.type}`}
          onClick={() => onPick({ kind: 'action', action: { type: a.type, version: a.version } })}
        >
          {actionIcon(a.icon)} {a.title}
        </button>
      ))}
      {targets.length > 0 && (
        <>
          <label className="add-menu-heading" htmlFor={`${testId}-existing`}>
            Or go to a step already here
          </label>
          <select
            id={`${testId}-existing`}
            data-testid={`${testId}-existing`}
            value=""
            onChange={(e) => e.target.value && onConnect(e.target.value)}
          >
            <option value="">Choose a step…</option>
            {targets.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
        </>
      )}
    </div>
  );
}
