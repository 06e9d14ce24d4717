import { createContext } from 'react';
import type { ActionManifest } from '../../api/client.js';
import type { JourneyNodeKind as JourneyKind } from '@cairn/core';

export type StepChoice = { kind: JourneyKind; action?: { type: string; version: number } };

/**
 * What node cards read from the editor that is the same for every card and changes only when the action
 * catalog does. Per-step facts (problems, live stats, simulated path) travel in each node's `data`, so a
 * change to one step re-renders that card only; a change to this context re-renders all of them.
 */
export type EditorView = {
  actionTitle: (type: string, version: number) => string | undefined;
  actions: ActionManifest[];
  addAfter: (nodeId: string, output: string, choice: StepChoice) => void;
  /** Steps an output of `nodeId` may go to, named for a menu; read when a "+" menu opens. */
  targets: (nodeId: string) => { id: string; label: string }[];
  connectTo: (nodeId: string, output: string, targetId: string) => void;
};

export const EditorViewContext = createContext<EditorView | null>(null);
