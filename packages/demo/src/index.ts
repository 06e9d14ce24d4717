export {
  generateDemoStore,
  demoSummary,
  formatDemoSummary,
  DemoSummaryCounter,
  type DemoStore,
  type DemoSummary,
  type ArchetypeSummary,
} from './store.js';
export { iterateDemoEvents } from './simulate.js';
export { demoContacts, type DemoContact, type DemoStoreOptions } from './contacts.js';
export {
  DEMO_ARCHETYPES,
  ARCHETYPE_BEHAVIOUR,
  REORDER_CYCLES,
  LAPSED_QUIET_DAYS,
  type DemoArchetype,
  type ArchetypeBehaviour,
} from './archetypes.js';
export { DEMO_CATALOG, DEMO_CATEGORIES, type DemoProduct, type DemoCategory } from './catalog.js';
export { demoCampaigns, blackFriday, type DemoCampaign } from './calendar.js';
export {
  eventNameOf,
  type SegmentPayload,
  type SegmentIdentify,
  type SegmentTrack,
  type SegmentPage,
  type DemoOrderLine,
} from './payloads.js';
export { Random } from './random.js';
