// Designer-side helpers around the journey contract; the types, outputs and validator themselves come from @cairn/core.
import { NODE_KINDS, nodeOutputs } from '@cairn/core';
import type { ActionCatalog, JourneyDefinition, JourneyNode, JourneyNodeKind } from '@cairn/core';

/** Node kinds in palette order, as core lists them. */
export const JOURNEY_KINDS: readonly JourneyNodeKind[] = NODE_KINDS.map((k) => k.kind);

/** Core's outputs, except that an action missing from the catalog keeps a 'next' handle so the canvas stays editable. */
export function outputsOf(node: JourneyNode, catalog: ActionCatalog): string[] {
  if (node.kind === 'action' && !catalog(node.action.type, node.action.version)) return ['next'];
  return nodeOutputs(node, catalog);
}

export function emptyDefinition(name: string): JourneyDefinition {
  return {
    name,
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' }, position: { x: 0, y: 0 } },
    ],
    edges: [],
  };
}

/** The event that starts a run of this journey (an event trigger's), whose properties entry-event checks read. */
export function startingEvent(definition: Pick<JourneyDefinition, 'nodes'>): string | undefined {
  const trigger = definition.nodes.find((n) => n.kind === 'trigger');
  return trigger?.kind === 'trigger' && trigger.trigger.type === 'event' && trigger.trigger.event
    ? trigger.trigger.event
    : undefined;
}
