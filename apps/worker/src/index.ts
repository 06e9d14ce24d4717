export { bundleCairnWorkflows } from './bundle.js';
export { connectWithRetry, connectWorkerConnection, connectClientConnection, ensureSearchAttributes } from './temporal.js';
