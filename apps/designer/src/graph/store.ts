import type { JourneyGraph } from './convert.js';

/** Canvas state only: the graph being edited, the selection and the undo/redo stacks. No server data. */
export type CanvasState = {
  graph: JourneyGraph;
  selection: string[];
  past: JourneyGraph[];
  future: JourneyGraph[];
  /** Consecutive edits with the same key (typing in one field) collapse into one undo step. */
  lastEditKey?: string;
};

export type CanvasAction =
  | { type: 'load'; graph: JourneyGraph }
  | { type: 'edit'; change: (graph: JourneyGraph) => JourneyGraph; key?: string; select?: string[] }
  | { type: 'checkpoint' }
  | { type: 'move'; positions: Record<string, { x: number; y: number }> }
  | { type: 'select'; ids: string[] }
  | { type: 'selectChanges'; changes: { id: string; selected: boolean }[] }
  | { type: 'undo' }
  | { type: 'redo' };

export const HISTORY_LIMIT = 100;

export function initialCanvas(graph: JourneyGraph): CanvasState {
  return { graph, selection: [], past: [], future: [] };
}

function remember(state: CanvasState): JourneyGraph[] {
  return [...state.past, state.graph].slice(-HISTORY_LIMIT);
}

function keepExisting(selection: string[], graph: JourneyGraph): string[] {
  const ids = new Set([...graph.nodes.map((n) => n.id), ...graph.edges.map((e) => e.id)]);
  return selection.filter((id) => ids.has(id));
}

function sameIds(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

export function canvasReducer(state: CanvasState, action: CanvasAction): CanvasState {
  switch (action.type) {
    case 'load':
      return initialCanvas(action.graph);
    case 'edit': {
      const graph = action.change(state.graph);
      if (graph === state.graph)
        return action.select ? { ...state, selection: action.select } : state;
      const coalesce = action.key !== undefined && action.key === state.lastEditKey;
      return {
        graph,
        selection: keepExisting(action.select ?? state.selection, graph),
        past: coalesce ? state.past : remember(state),
        future: [],
        ...(action.key !== undefined ? { lastEditKey: action.key } : {}),
      };
    }
    case 'checkpoint':
      // Taken when a drag starts, so the whole drag undoes as one step.
      return { ...state, past: remember(state), future: [], lastEditKey: undefined };
    case 'move': {
      const nodes = state.graph.nodes.map((n) => {
        const at = action.positions[n.id];
        return at ? { ...n, position: at } : n;
      });
      return { ...state, graph: { ...state.graph, nodes } };
    }
    case 'select':
      return sameIds(state.selection, action.ids) ? state : { ...state, selection: action.ids };
    case 'selectChanges': {
      // React Flow reports selection as per-item toggles; fold them into the current selection.
      const next = new Set(state.selection);
      for (const c of action.changes) {
        if (c.selected) next.add(c.id);
        else next.delete(c.id);
      }
      const ids = [...next];
      return sameIds(state.selection, ids) ? state : { ...state, selection: ids };
    }
    case 'undo': {
      const previous = state.past[state.past.length - 1];
      if (!previous) return state;
      return {
        graph: previous,
        selection: keepExisting(state.selection, previous),
        past: state.past.slice(0, -1),
        future: [state.graph, ...state.future],
      };
    }
    case 'redo': {
      const next = state.future[0];
      if (!next) return state;
      return {
        graph: next,
        selection: keepExisting(state.selection, next),
        past: remember(state),
        future: state.future.slice(1),
      };
    }
  }
}
