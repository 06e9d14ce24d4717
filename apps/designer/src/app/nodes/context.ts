import { createContext } from 'react';
import type { ActionManifest, NodeStats } from '../../api/client.js';
import type { JourneyNodeKind as JourneyKind, JourneyProblem } from '@cairn/core';

export type StepChoice = { kind: JourneyKind; action?: { type: string; version: number } };

/** What node cards read from the editor; graph changes still go through the canvas store. */
export type EditorView = {
  actionTitle: (type: string, version: number) => string | undefined;
  actions: ActionManifest[];
  issuesByNode: Map<string, JourneyProblem[]>;
  stats?: Record<string, NodeStats>;
  /** Nodes the last simulation walked through, highlighted on the canvas. */
  pathNodes?: ReadonlySet<string>;
  addAfter: (nodeId: string, output: string, choice: StepChoice) => void;
};

export const EditorViewContext = createContext<EditorView | null>(null);
