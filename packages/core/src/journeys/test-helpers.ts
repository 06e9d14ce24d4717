// Shared by the journey tests only (not exported from the package).
import type { ActionCatalog, JourneyDefinition, JourneyNode, JourneyEdge } from './graph.js';

export const testCatalog: ActionCatalog = (type, version) => {
  if (version !== 1) return undefined;
  switch (type) {
    case 'email':
      return {
        outputs: ['next'],
        category: 'message',
        validateConfig: (config) =>
          typeof (config as { templateId?: unknown }).templateId === 'string'
            ? []
            : [{ path: 'templateId', message: 'must name an email template' }],
      };
    case 'inAppMessage':
      return { outputs: ['next'], category: 'message', validateConfig: () => [] };
    case 'webhook':
      return { outputs: ['success', 'failure'], category: 'integration', validateConfig: () => [] };
    default:
      return undefined;
  }
};

export function journey(
  nodes: JourneyNode[],
  edges: [string, string, string][],
  settings: Partial<JourneyDefinition['settings']> = {},
): JourneyDefinition {
  return {
    name: 'test journey',
    settings: {
      reentry: { policy: 'never' },
      exitOnSegmentExit: false,
      holdoutPercent: 0,
      ...settings,
    },
    nodes,
    edges: edges.map(([source, sourceHandle, target], i): JourneyEdge => ({
      id: `e${i}`,
      source,
      sourceHandle,
      target,
    })),
  };
}
