import { useCallback, useState } from 'react';
import type { Dispatch } from 'react';
import type { EdgeChange, NodeChange } from '@xyflow/react';
import type { CanvasAction } from '../../../graph/store.js';

/** What React Flow reports (drags, selection, measured sizes), folded into the canvas state. */
export function useFlowChanges(dispatch: Dispatch<CanvasAction>) {
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      const positions: Record<string, { x: number; y: number }> = {};
      const selections: { id: string; selected: boolean }[] = [];
      const sizes: Record<string, { width: number; height: number }> = {};
      for (const c of changes) {
        if (c.type === 'position' && c.position)
          positions[c.id] = { x: Math.round(c.position.x), y: Math.round(c.position.y) };
        if (c.type === 'select') selections.push({ id: c.id, selected: c.selected });
        if (c.type === 'dimensions' && c.dimensions) sizes[c.id] = c.dimensions;
      }
      if (Object.keys(positions).length) dispatch({ type: 'move', positions });
      if (selections.length) dispatch({ type: 'selectChanges', changes: selections });
      if (Object.keys(sizes).length) setMeasured((m) => ({ ...m, ...sizes }));
    },
    [dispatch],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const selections = changes.flatMap((c) =>
        c.type === 'select' ? [{ id: c.id, selected: c.selected }] : [],
      );
      if (selections.length) dispatch({ type: 'selectChanges', changes: selections });
    },
    [dispatch],
  );

  return { measured, onNodesChange, onEdgesChange };
}
