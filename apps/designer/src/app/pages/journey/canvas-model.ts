import type { FitViewOptions, Node, ReactFlowInstance } from '@xyflow/react';
import type { JourneyDefinition, JourneyNode } from '@cairn/core';
import type { JourneyGraph } from '../../../graph/convert.js';
import { autoLayout } from '../../../graph/layout.js';
import { KIND_TITLES, summarizeNode } from '../../../graph/summary.js';

export const DRAG_MIME = 'application/cairn-step';
export const MIN_ZOOM = 0.02;

// The minimap sits bottom-right and the zoom controls bottom-left, over the canvas. Fitting the journey
// into the area above them keeps them from covering its last steps on a laptop-sized canvas.
export const MINIMAP_SIZE = { width: 168, height: 112 };
export const FIT_VIEW: FitViewOptions = {
  padding: { top: '32px', left: '64px', right: '32px', bottom: `${MINIMAP_SIZE.height + 32}px` },
  maxZoom: 1,
};

// Minimap colours match the coloured top edge of each kind's card.
const KIND_COLOURS: Record<string, string> = {
  trigger: '#4f46e5',
  delay: '#f59e0b',
  waitUntil: '#f59e0b',
  waitFor: '#f59e0b',
  branch: '#0ea5e9',
  multiSplit: '#0ea5e9',
  randomSplit: '#0ea5e9',
  action: '#10b981',
  goal: '#a855f7',
  exit: '#71717a',
};
export const minimapColour = (node: Node) => KIND_COLOURS[node.type ?? ''] ?? '#a1a1aa';

/** Below this zoom card text is a few pixels tall: the canvas stops painting it (see `.canvas.far` in styles.css). */
export const FAR_ZOOM = 0.35;

/**
 * Auto-layout never zooms out further than this: below it a card's 13 px title is under 8 px. A journey
 * too big to fit at this zoom is shown from its top (the trigger) instead; the minimap shows the rest.
 */
export const LEGIBLE_ZOOM = 0.6;

type Box = { x: number; y: number; width: number; height: number };

/**
 * Where to look at a journey whose steps span `box`, on a canvas `canvas` pixels big: 'fit' when it all
 * shows at LEGIBLE_ZOOM or closer; else LEGIBLE_ZOOM from the top (the trigger), centred across on the
 * trigger (`triggerCentre`, its x in flow units) but never past the journey's sides.
 */
export function legibleViewport(
  box: Box,
  canvas: { width: number; height: number },
  triggerCentre: number | undefined,
): 'fit' | { x: number; y: number; zoom: number } {
  const pad = { top: 32, left: 64, right: 32, bottom: MINIMAP_SIZE.height + 32 };
  const width = canvas.width - pad.left - pad.right;
  const height = canvas.height - pad.top - pad.bottom;
  const fit = Math.min(width / box.width, height / box.height, FIT_VIEW.maxZoom ?? 1);
  if (fit >= LEGIBLE_ZOOM) return 'fit';
  const zoom = LEGIBLE_ZOOM;
  const centre = triggerCentre ?? box.x + box.width / 2;
  const fitsAcross = box.width * zoom <= width;
  const x = fitsAcross
    ? pad.left + (width - box.width * zoom) / 2 - box.x * zoom
    : Math.min(
        pad.left - box.x * zoom,
        Math.max(
          pad.left + width - (box.x + box.width) * zoom,
          pad.left + width / 2 - centre * zoom,
        ),
      );
  return { x, y: pad.top - box.y * zoom, zoom };
}

/** Fits the journey into the canvas like `fitView`, but not below LEGIBLE_ZOOM; `duration` 0 jumps there. */
export function legibleFit(flow: ReactFlowInstance, canvas: HTMLElement | null, duration = 200) {
  const nodes = flow.getNodes();
  if (!canvas || nodes.length === 0) return;
  const trigger = nodes.find((n) => n.type === 'trigger');
  const view = legibleViewport(
    flow.getNodesBounds(nodes),
    { width: canvas.clientWidth, height: canvas.clientHeight },
    trigger ? trigger.position.x + (trigger.measured?.width ?? 0) / 2 : undefined,
  );
  if (view === 'fit') return void flow.fitView({ ...FIT_VIEW, duration });
  void flow.setViewport(view, { duration });
}

/** A step as a menu names it: its label or kind, what it does, and its id when two would read the same. */
export function stepNames(
  nodes: JourneyNode[],
  actionTitle: (node: JourneyNode & { kind: 'action' }) => string | undefined,
): { id: string; label: string }[] {
  const named = nodes.map((node) => {
    const title = node.kind === 'action' ? actionTitle(node) : undefined;
    const summary = summarizeNode(node, title);
    const head =
      node.label ?? (node.kind === 'action' ? (title ?? node.action.type) : KIND_TITLES[node.kind]);
    return { id: node.id, label: summary.startsWith(head) ? summary : `${head}: ${summary}` };
  });
  const seen = new Map<string, number>();
  for (const n of named) seen.set(n.label, (seen.get(n.label) ?? 0) + 1);
  return named.map((n) =>
    (seen.get(n.label) ?? 0) > 1 ? { ...n, label: `${n.label} (${n.id})` } : n,
  );
}

export function startingGraph(
  draft: JourneyDefinition,
  outputsOf?: (node: JourneyNode) => string[],
): JourneyGraph {
  const graph = { nodes: draft.nodes, edges: draft.edges };
  // A definition written as code may carry no positions: lay it out once on open.
  return graph.nodes.some((n) => !n.position)
    ? { ...graph, nodes: autoLayout(graph.nodes, graph.edges, outputsOf) }
    : graph;
}

/** True when the two journeys differ at most in where their steps sit on the canvas. */
export function sameButPositions(a: JourneyDefinition, b: JourneyDefinition): boolean {
  if (a === b) return true;
  if (a.settings !== b.settings || a.edges !== b.edges || a.nodes.length !== b.nodes.length)
    return false;
  return a.nodes.every((node, i) => {
    const other = b.nodes[i]!;
    if (node === other) return true;
    const { position: _a, ...restA } = node;
    const { position: _b, ...restB } = other;
    const keys = Object.keys(restA);
    return (
      keys.length === Object.keys(restB).length &&
      keys.every(
        (k) => (restA as Record<string, unknown>)[k] === (restB as Record<string, unknown>)[k],
      )
    );
  });
}

export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' ||
      el.tagName === 'TEXTAREA' ||
      el.tagName === 'SELECT' ||
      el.isContentEditable)
  );
}
