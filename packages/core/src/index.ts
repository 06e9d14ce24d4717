export * from './events/index.js';
export * from './profile/index.js';
export * from './segments/index.js';
export * from './journeys/index.js';
export type { InAppMessage } from './messaging/in-app.js';
export {
  SEND_LIMIT_UNITS,
  SendRateLimitSchema,
  SendRateLimitsSchema,
  sendWindowMs,
  type SendLimitUnit,
  type SendRateLimit,
  type SendRateLimits,
} from './messaging/send-limits.js';
export { ROLES, type Role } from './access/roles.js';
