// `@cairn/core/runtime`: the part of core that journey workflows execute, without zod.
//
// Temporal's reusable V8 context evaluates a workflow's modules once per cached run (only modules
// loaded before the first run are shared), so everything reachable from here is re-evaluated for every
// run in a worker's sticky cache. Importing the package root cost ~1.4 MiB of heap per run (zod and
// every schema of core); this entry reaches only the interpreter, the segment evaluator and their
// pure helpers. runtime.test.ts fails if zod becomes reachable again.
export {
  advance,
  pendingAfter,
  readsProfile,
  timerFiresAt,
  wakeUpAt,
} from './journeys/interpreter.js';
export type {
  AdvanceResult,
  JourneyCommand,
  JourneyContext,
  JourneyInput,
  JourneyRunState,
  PendingCommand,
} from './journeys/interpreter.js';
export type { JourneyEvent } from './journeys/filters.js';
export type { JourneyDefinition } from './journeys/graph.js';
export { evaluateSegment } from './segments/evaluate.js';
export type { SegmentContext, SegmentResult } from './segments/evaluate.js';
export type { ContactProfile } from './profile/types.js';
export { stableBucket } from './events/hash.js';
