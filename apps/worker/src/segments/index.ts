export { createSegmentActivities } from './activities.js';
export { ensureSegmentSweepSchedule, SEGMENT_SWEEP_SCHEDULE_ID } from './schedule.js';
