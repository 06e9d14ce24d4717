import type { Connection } from 'mongoose';
import { apiKeyModel } from './models/api-key.js';
import { contactModel } from './models/contact.js';
import { eventModel, pendingFoldModel } from './models/event.js';
import { journeyTriggerModel } from './models/journey-trigger.js';
import { workspaceModel } from './models/workspace.js';
import {
  credentialModel,
  deliveryModel,
  inAppMessageModel,
  sendLimitsModel,
  sendSlotModel,
  templateModel,
  templateVersionModel,
} from './messaging/index.js';
import { identityModel } from './models/identity.js';
import { eventSchemaModel } from './models/event-schema.js';
import { auditEntryModel, sessionModel, userModel } from './access/models.js';
import {
  journeyModel,
  journeyNodeStatsModel,
  journeyStatsModel,
  journeyVersionModel,
} from './models/journey.js';
import { contactJourneysModel, journeyActionRunModel } from './models/journey-run.js';
import {
  segmentDailyCountModel,
  segmentDueBucketModel,
  segmentMembershipChangeModel,
  segmentModel,
  segmentStatsModel,
  segmentSweepCursorModel,
  segmentVersionModel,
} from './segments/models.js';

/** Every model factory; a new model adds itself here so its indexes are created at start. */
export const MODEL_FACTORIES: ((connection: Connection) => unknown)[] = [
  workspaceModel,
  apiKeyModel,
  contactModel,
  eventModel,
  pendingFoldModel,
  journeyTriggerModel,
  identityModel,
  deliveryModel,
  credentialModel,
  inAppMessageModel,
  sendLimitsModel,
  sendSlotModel,
  templateModel,
  templateVersionModel,
  segmentModel,
  segmentStatsModel,
  segmentVersionModel,
  segmentMembershipChangeModel,
  segmentDailyCountModel,
  segmentDueBucketModel,
  segmentSweepCursorModel,
  journeyModel,
  journeyVersionModel,
  journeyNodeStatsModel,
  journeyStatsModel,
  contactJourneysModel,
  journeyActionRunModel,
  eventSchemaModel,
  userModel,
  sessionModel,
  auditEntryModel,
];

/** Registers every model and creates its declared indexes (autoIndex is off so start-up is explicit). */
export async function syncIndexes(connection: Connection): Promise<void> {
  for (const factory of MODEL_FACTORIES) factory(connection);
  for (const model of Object.values(connection.models)) await model.createIndexes();
}
