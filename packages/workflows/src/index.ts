// Workflow code only: runs in Temporal's deterministic sandbox. Imports @temporalio/workflow and
// @cairn/core, nothing that does I/O.
export { stackProbeWorkflow } from './probe.js';
