import { useCallback, useEffect, useRef } from 'react';
import type { RefObject } from 'react';
import { useReactFlow } from '@xyflow/react';
import { NODE_HEIGHT, NODE_WIDTH } from '../../../graph/layout.js';
import { FIT_VIEW, MINIMAP_SIZE } from './canvas-model.js';

// Room kept around a revealed step, and the strip the minimap covers at the bottom.
const MARGIN = 32;

/**
 * After a step is added, pans the canvas (at the same zoom) so the new step is on screen: a step added
 * under the last visible one would otherwise appear off the bottom edge, unseen.
 */
export function useRevealStep(wrapper: RefObject<HTMLDivElement | null>, nodeCount: number) {
  const flow = useReactFlow();
  const pending = useRef<string | null>(null);

  useEffect(() => {
    const id = pending.current;
    const rect = wrapper.current?.getBoundingClientRect();
    if (!id || !rect) return;
    const node = flow.getInternalNode(id);
    if (!node) return;
    pending.current = null;
    const { x, y, zoom } = flow.getViewport();
    const at = node.internals.positionAbsolute;
    const width = node.measured.width ?? NODE_WIDTH;
    const height = node.measured.height ?? NODE_HEIGHT;
    const left = at.x * zoom + x;
    const top = at.y * zoom + y;
    const visible =
      left >= MARGIN &&
      top >= MARGIN &&
      left + width * zoom <= rect.width - MARGIN &&
      top + height * zoom <= rect.height - MINIMAP_SIZE.height - MARGIN;
    if (visible) return;
    // At once, not animated: a click aimed at a step while the canvas glides would land beside it.
    void flow.setCenter(at.x + width / 2, at.y + height / 2, {
      zoom: Math.min(zoom, FIT_VIEW.maxZoom ?? 1),
    });
  }, [flow, wrapper, nodeCount]);

  return useCallback((id: string) => {
    pending.current = id;
  }, []);
}
