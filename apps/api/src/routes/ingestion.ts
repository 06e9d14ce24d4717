import { Router } from 'express';
import { foldLag } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';

/** How far this workspace's profiles are behind the events it sent: appended but not folded yet. */
export function ingestionRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/ingestion', requireRole('viewer'), async (_req, res) => {
    const lag = await foldLag(ctx.db.connection, { workspaceId: workspaceIdOf(res) });
    res.json({ unfoldedEvents: lag.pendingEvents, foldLagMs: lag.oldestAgeMs });
  });
  return router;
}
