import { useEffect, useRef } from 'react';
import type { Dispatch } from 'react';
import { copySelection, paste } from '../../../graph/edit.js';
import type { Clipboard } from '../../../graph/edit.js';
import type { CanvasAction, CanvasState } from '../../../graph/store.js';
import { isTyping } from './canvas-model.js';

/** Keyboard: undo/redo, copy/paste, delete — but never while typing in a form field. */
export function useCanvasShortcuts(
  canvas: CanvasState,
  dispatch: Dispatch<CanvasAction>,
  deleteSelection: () => void,
) {
  const clipboard = useRef<Clipboard | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'z') {
        e.preventDefault();
        dispatch({ type: e.shiftKey ? 'redo' : 'undo' });
      } else if (mod && key === 'y') {
        e.preventDefault();
        dispatch({ type: 'redo' });
      } else if (mod && key === 'c') {
        clipboard.current = copySelection(canvas.graph, canvas.selection);
      } else if (mod && key === 'v' && clipboard.current?.nodes.length) {
        e.preventDefault();
        const clip = clipboard.current;
        dispatch({
          type: 'edit',
          change: (g) => paste(g, clip).graph,
        });
        // Select what was pasted: ids are deterministic for a given graph, so recompute them.
        dispatch({ type: 'select', ids: paste(canvas.graph, clip).pastedIds });
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        if (canvas.selection.length) {
          e.preventDefault();
          deleteSelection();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canvas.graph, canvas.selection, deleteSelection]);
}
