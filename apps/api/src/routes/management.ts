import express, { Router } from 'express';
import { z } from 'zod';
import { isValidTimeZone } from '@cairn/core';
import { findWorkspace, updateWorkspaceSettings, type WorkspaceDoc } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { principalOf, requireMember, requireRole, workspaceIdOf } from '../http/auth.js';
import { MAX_MANAGEMENT_BODY_DEPTH, rejectDeepJson } from '../http/body-limits.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { audit } from '../http/audit.js';
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

const WorkspaceSettingsBody = z
  .object({
    timezone: z
      .string()
      .refine(isValidTimeZone, 'must be an IANA time zone, e.g. "Europe/Paris" or "UTC"')
      .optional(),
  })
  .strict();

function workspaceView(workspace: WorkspaceDoc) {
  return {
    id: workspace._id,
    name: workspace.name,
    slug: workspace.slug,
    settings: workspace.settings,
  };
}

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
  // Users (session tokens) and admin keys; each route then declares the role it needs.
  router.use(requireMember(ctx));

  router.get('/me', requireRole('viewer'), async (_req, res) => {
    const workspace = await findWorkspace(ctx.db.connection, workspaceIdOf(res));
    if (!workspace) throw HttpProblem.notFound('The workspace of this key no longer exists.');
    const { role, actor } = principalOf(res);
    res.json({ workspace: workspaceView(workspace), principal: { ...actor, role } });
  });

  // Day windows of segments turn at midnight in settings.timezone (docs/segments.md).
  router.patch(
    '/workspace/settings',
    requireRole('admin', { audits: 'workspace' }),
    async (req, res) => {
      const body = parseOr400(WorkspaceSettingsBody, req.body ?? {});
      const workspaceId = workspaceIdOf(res);
      const before = await findWorkspace(ctx.db.connection, workspaceId);
      const workspace = await updateWorkspaceSettings(ctx.db.connection, workspaceId, body);
      if (!before || !workspace)
        throw HttpProblem.notFound('The workspace of this key no longer exists.');
      await audit(ctx, res, {
        action: 'workspace.updated',
        resource: { type: 'workspace', id: workspaceId, name: workspace.name },
        before: before.settings,
        after: workspace.settings,
      });
      res.json({ workspace: workspaceView(workspace) });
    },
  );

  // Feature routers mount here, one line each.
  router.use(contactRoutes(ctx));
  router.use(importRoutes(ctx));
  router.use(consentRoutes(ctx));
  router.use(templateRoutes(ctx));
  router.use(credentialRoutes(ctx));
  router.use(segmentRoutes(ctx));
  router.use(journeyRoutes(ctx));
  router.use(journeyAnalyticsRoutes(ctx));
  router.use(simulateRoutes(ctx));
  router.use(catalogRoutes(ctx));
  router.use(ingestionRoutes(ctx));
  router.use(accessRoutes(ctx));
  router.use(settingsRoutes(ctx));
  return router;
}
