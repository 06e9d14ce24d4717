import { Router } from 'express';
import { foldState, retryParkedFolds } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { audit } from '../http/audit.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';

/** How far this workspace's profiles are behind the events it sent: appended but not folded yet. */
export function ingestionRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/ingestion', requireRole('viewer'), async (_req, res) => {
    const workspaceId = workspaceIdOf(res);
    const state = await foldState(ctx.db.connection, { workspaceId });
    res.json({
      unfoldedEvents: state.pendingEvents,
      foldLagMs: state.oldestAgeMs,
      parkedEvents: state.parkedEvents,
      parked: state.parked,
    });
  });
  // After a fix, parked folds go back to the sweeper (it also retries them whenever the worker starts).
  router.post(
    '/ingestion/retry-parked',
    requireRole('admin', { audits: 'ingestion' }),
    async (_req, res) => {
      const workspaceId = workspaceIdOf(res);
      const retried = await retryParkedFolds(ctx.db.connection, workspaceId);
      await audit(ctx, res, {
        action: 'ingestion.parkedRetried',
        resource: { type: 'ingestion', id: workspaceId },
        changes: [],
      });
      res.json({ retried });
    },
  );
  return router;
}
