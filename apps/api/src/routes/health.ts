import { Router } from 'express';
import { foldLag, pingDatabase } from '@cairn/db';
import type { ApiContext } from '../context.js';

async function temporalReachable(ctx: ApiContext): Promise<boolean> {
  try {
    await ctx.temporal.connection.withDeadline(Date.now() + 2000, () =>
      ctx.temporal.connection.workflowService.getSystemInfo({}),
    );
    return true;
  } catch {
    return false;
  }
}

export function healthRoutes(ctx: ApiContext): Router {
  const router = Router();
  // Liveness: the process answers; says nothing about its dependencies.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: 503 naming each dependency that is down, so an orchestrator or a person knows what to fix.
  // `ingestion` says how far folding events into profiles is behind (all processes, from the event log's
  // pending markers) and what this process still holds in memory.
  router.get('/readyz', async (_req, res) => {
    const [mongodb, temporal] = await Promise.all([pingDatabase(ctx.db), temporalReachable(ctx)]);
    const checks = { mongodb: mongodb ? 'up' : 'down', temporal: temporal ? 'up' : 'down' };
    const lag = mongodb ? await foldLag(ctx.db.connection).catch(() => undefined) : undefined;
    const local = ctx.folds.backlog();
    const ingestion = {
      ...(lag ? { unfoldedEvents: lag.pendingEvents, foldLagMs: lag.oldestAgeMs } : {}),
      queuedHere: local.events,
      oldestQueuedHereMs: local.oldestAgeMs,
    };
    if (mongodb && temporal) {
      res.json({ status: 'ready', checks, ingestion });
      return;
    }
    const down = Object.entries(checks).filter(([, v]) => v === 'down').map(([k]) => k);
    res
      .status(503)
      .setHeader('Retry-After', '5')
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: `Not ready: ${down.join(' and ')} unreachable.`, checks }));
  });
  return router;
}
