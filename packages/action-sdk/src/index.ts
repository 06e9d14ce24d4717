export type {
  ActionCategory,
  ActionContact,
  ActionContext,
  ActionWorkspace,
  ActionCredential,
  ActionDefinition,
  ActionDefinitionInput,
  ActionJourney,
  ActionLogger,
  ActionManifest,
  ActionOutput,
  ActionResult,
  ActionServices,
  ConfigProblem,
  ContactTraitsUpdate,
  InAppMessage,
  JsonValue,
  RecordedEvent,
  SavedMessageTemplate,
  SubscriptionChannel,
} from './types.js';
export {
  defineAction,
  executeAction,
  validateActionConfig,
  configProblems,
  actionKey,
} from './define.js';
export {
  RetryableActionError,
  PermanentActionError,
  isPermanentActionError,
  isRetryableActionError,
} from './errors.js';
export { actionManifest, assertLosslessJsonSchema, findJsonSchemaLosses } from './manifest.js';
export { ActionRegistry } from './registry.js';
export { resolveLazy, type Lazy } from './lazy.js';
export type { ActionCatalogEntry, AnyActionDefinition } from './registry.js';
