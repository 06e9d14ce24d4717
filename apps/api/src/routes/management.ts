import express, { Router } from 'express';
import type { ApiContext } from '../context.js';
import { requireMember } from '../http/auth.js';
import { MAX_MANAGEMENT_BODY_DEPTH, rejectDeepJson } from '../http/body-limits.js';
import { workspaceRoutes } from './workspace.js';
import { instanceRoutes } from './instance.js';
import { testSendRoutes } from './test-send.js';
import { contactRoutes } from './contacts.js';
import { importRoutes } from './imports.js';
import { consentRoutes } from './consent.js';
import { credentialRoutes } from './credentials.js';
import { templateRoutes } from './templates.js';
import { segmentRoutes } from './segments.js';
import { journeyRoutes } from './journeys.js';
import { journeyAnalyticsRoutes } from './journey-analytics.js';
import { simulateRoutes } from './simulate.js';
import { catalogRoutes } from './catalog.js';
import { ingestionRoutes } from './ingestion.js';
import { accessRoutes, signInRoutes } from './access.js';
import { settingsRoutes } from './settings.js';
import { sendLimitRoutes } from './send-limits.js';

/**
 * The management API under /api/v1: signed-in users (by role) and admin keys (as admins); each route
 * declares its role with requireRole. Every handler scopes its queries by
 * `workspaceIdOf(res)`. Another workspace's objects answer 404, never 403, so existence never leaks.
 */
export function managementRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.use(express.json({ limit: '2mb' }));
  router.use(rejectDeepJson(MAX_MANAGEMENT_BODY_DEPTH));
  router.use(signInRoutes(ctx));
  // The instance admin's routes answer to CAIRN_ADMIN_TOKEN, not to a workspace member.
  router.use(instanceRoutes(ctx));
  // Users (session tokens) and admin keys; each route then declares the role it needs.
  router.use(requireMember(ctx));

  router.use(workspaceRoutes(ctx));
  // Feature routers mount here, one line each.
  router.use(contactRoutes(ctx));
  router.use(importRoutes(ctx));
  router.use(consentRoutes(ctx));
  router.use(templateRoutes(ctx));
  router.use(credentialRoutes(ctx));
  router.use(testSendRoutes(ctx));
  router.use(segmentRoutes(ctx));
  router.use(journeyRoutes(ctx));
  router.use(journeyAnalyticsRoutes(ctx));
  router.use(simulateRoutes(ctx));
  router.use(catalogRoutes(ctx));
  router.use(ingestionRoutes(ctx));
  router.use(accessRoutes(ctx));
  router.use(settingsRoutes(ctx));
  router.use(sendLimitRoutes(ctx));
  return router;
}
