// The batch a journey run reports after its steps: one shape for the workflow that writes it and the store
// that applies it (@cairn/workflows and @cairn/db).
import type { JourneyStep, RunStatus } from './interpreter.js';

export interface JourneyProgress {
  workspaceId: string;
  journeyId: string;
  version: number;
  contactId: string;
  key?: string;
  workflowId: string;
  runStartedId: string;
  /** Increases by one per batch; a retried or replayed batch with a seen seq is dropped. */
  seq: number;
  /**
   * The workflow task that built the batch (absent from workflow code before it). A task that times out
   * still runs its local activities, and its retry writes the same seqs with what it saw then: the recorder
   * keeps the later task's batch.
   */
  task?: ProgressTask;
  at: string;
  nodeId: string;
  status: RunStatus | 'stopped' | 'failed';
  steps: JourneyStep[];
  /** Nodes entered in this batch (with counts), nodes converted, output taken per node. */
  entered: Record<string, number>;
  outputs: { nodeId: string; output: string }[];
  converted: string[];
  /** Node the contact now waits at (and the one it left), to keep `waiting` gauges right. */
  waitingAt?: string;
  leftWaitingAt?: string;
  /** While waiting: when the run will next look again on its own (a delay's end, a wait's deadline), ISO. */
  wakeUpAt?: string;
  sent?: string[];
  /** Message nodes whose send the frequency cap skipped in this batch. */
  capped?: string[];
  /** The contact was held out at entry (first batch only), and a held-out contact met a goal. */
  heldOut?: boolean;
  holdoutConverted?: boolean;
  completion?: { reason: string; at: string };
}

export interface ProgressTask {
  /** History length at the task (with the runs before a continue-as-new): grows with every task. */
  history: number;
  /** Workflow time of the task (ms): tells apart retries of a task, which share a history length. */
  time: number;
  /** The last seq the history held when the task began: no later task rewrites a seq up to it. */
  settledSeq: number;
}
