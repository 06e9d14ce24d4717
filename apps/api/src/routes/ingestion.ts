import { Router } from 'express';
import { foldState, readDebugger, retryParkedFolds } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { audit } from '../http/audit.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { parseOr400 } from '../http/problem.js';
import { DebuggerQuery } from '@cairn/contract';

/** The stored JSON back as an object, or the cut text when it was too long to keep whole. */
function propertiesOf(
  text: string,
  truncated: boolean,
): { properties?: unknown; propertiesPreview?: string } {
  if (truncated) return { propertiesPreview: text };
  try {
    return { properties: JSON.parse(text) as unknown };
  } catch {
    return { propertiesPreview: text };
  }
}

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
  // The event debugger: the last calls this workspace sent, as kept by the /v1 routes, and the fold lag.
  router.get('/debugger/events', requireRole('viewer'), async (req, res) => {
    const query = parseOr400(DebuggerQuery, req.query, 'query string', 'query');
    const workspaceId = workspaceIdOf(res);
    const [seen, state] = await Promise.all([
      readDebugger(ctx.db.connection, workspaceId, {
        user: query.userId || undefined,
        event: query.event || undefined,
        limit: query.limit,
      }),
      foldState(ctx.db.connection, { workspaceId }),
    ]);
    res.json({
      events: seen.events.map(({ properties, truncated, ...rest }) => ({
        ...rest,
        receivedAt: new Date(rest.receivedAt).toISOString(),
        ...propertiesOf(properties, truncated),
      })),
      refused: seen.refused.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
      fold: {
        unfoldedEvents: state.pendingEvents,
        foldLagMs: state.oldestAgeMs,
        parkedEvents: state.parkedEvents,
      },
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
