export { createRfmActivities } from './activities.js';
export {
  ensureRfmSchedule,
  rfmIntervalHours,
  RFM_SCHEDULE_ID,
  RFM_INTERVAL_ENV,
} from './schedule.js';
