export { createSegmentActivities } from './activities.js';
export {
  ensureSegmentSweepSchedule,
  removeSegmentSweepSchedule,
  SEGMENT_SWEEP_SCHEDULE_ID,
} from './schedule.js';
