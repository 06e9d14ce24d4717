export { connectDatabase, pingDatabase, isDuplicateKeyError, type Database, type DatabaseCapabilities } from './connection.js';
export { workspaceModel, type WorkspaceDoc } from './models/workspace.js';
export { syncIndexes } from './indexes.js';
