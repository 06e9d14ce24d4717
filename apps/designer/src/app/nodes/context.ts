import { createContext } from 'react';
import type { ActionManifest, NodeStats } from '../../api/client.js';
import type { JourneyKind } from '../../domain/journey.js';
import type { GraphIssue } from '../../graph/validate.js';

export type StepChoice = { kind: JourneyKind; action?: { type: string; version: number } };

/** What node cards read from the editor; graph changes still go through the canvas store. */
export type EditorView = {
  actionTitle: (type: string, version: number) => string | undefined;
  actions: ActionManifest[];
  issuesByNode: Map<string, GraphIssue[]>;
  stats?: Record<string, NodeStats>;
  addAfter: (nodeId: string, output: string, choice: StepChoice) => void;
};

export const EditorViewContext = createContext<EditorView | null>(null);
