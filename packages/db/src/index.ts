export { connectDatabase, pingDatabase, isDuplicateKeyError, type Database, type DatabaseCapabilities } from './connection.js';
export { syncIndexes } from './indexes.js';
export { workspaceModel, type WorkspaceDoc } from './models/workspace.js';
export { contactModel, contactKey, type ContactDoc, type SegmentMembershipState } from './models/contact.js';
export { eventModel, eventKey, pendingFoldModel, type EventDoc, type PendingFoldDoc } from './models/event.js';
export {
  journeyTriggerModel,
  journeyTriggerKey,
  enqueueJourneyTriggers,
  type JourneyTriggerDoc,
  type JourneyTriggerKind,
} from './models/journey-trigger.js';
export { apiKeyModel, type ApiKeyDoc, type ApiKeyScope } from './models/api-key.js';
export { createApiKey, verifyApiKey, revokeApiKey, createWorkspace, type VerifiedKey, type CreatedWorkspace } from './workspaces.js';
