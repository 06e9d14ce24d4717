export * from './common.js';
export * from './access.js';
export * from './contacts.js';
export * from './segments.js';
export * from './journeys.js';
export * from './templates.js';
export * from './settings.js';
export * from './ingestion.js';
export {
  ROUTES,
  routeContract,
  type Answer,
  type RouteAnswer,
  type RouteContract,
  type RouteKey,
} from './routes.js';
