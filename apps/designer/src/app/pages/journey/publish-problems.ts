// What a refused publish says, in the marketer's words: the API's problems as the canvas shows them.
import type { JourneyProblem } from '@cairn/core';
import { ApiError } from '../../../api/client.js';

export type PublishRefusal = {
  /** The headline after "Not published: ". */
  headline: string;
  /** The validator's problems, each with its step, for ProblemList (empty when the refusal names no field). */
  problems: JourneyProblem[];
};

/**
 * The API answers a refused publish with its validator's problems (path, message, the step's id); an
 * older API names the step by its index only (`nodes[3]`), so the id is looked up in the draft's order.
 */
export function publishRefusal(
  error: unknown,
  nodeIdAt: (index: number) => string | undefined,
): PublishRefusal {
  if (!(error instanceof ApiError))
    return { headline: error instanceof Error ? error.message : String(error), problems: [] };
  const fields = (error.problem.errors ?? []) as {
    path: string;
    message: string;
    nodeId?: string;
  }[];
  const problems: JourneyProblem[] = fields.map((field) => {
    const index = /^nodes\[(\d+)\]/.exec(field.path)?.[1];
    const nodeId = field.nodeId ?? (index === undefined ? undefined : nodeIdAt(Number(index)));
    return { path: field.path, message: field.message, ...(nodeId ? { nodeId } : {}) };
  });
  // A 422 lists what to fix below; its detail repeats the first problem in the developer's words.
  if (error.problem.status === 422 && problems.length > 0)
    return {
      headline:
        problems.length === 1
          ? 'one thing to fix first'
          : `${problems.length.toLocaleString('en')} things to fix first`,
      problems,
    };
  return { headline: error.problem.detail ?? error.problem.title, problems };
}
