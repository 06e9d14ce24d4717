export * from './schema.js';
export * from './normalize.js';
export { fnv1a64, stableStringify, stableBucket } from './hash.js';
export {
  formatIssuePath,
  findTooDeep,
  tooDeepIssue,
  unstorableIssue,
  type FieldIssue,
} from './issues.js';
export { DEBUGGER_LIMITS } from './debugger-limits.js';
