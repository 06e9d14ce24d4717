import { readFile } from 'node:fs/promises';
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

interface SupervisedState {
  status: 'running' | 'restarting';
  restarts?: number;
  lastCrash?: { at: string; exit: string; reason: string };
  retryAt?: string;
}

/** Processes `npm start` is restarting after a crash (it writes their state to CAIRN_SUPERVISOR_STATE_FILE). */
async function restartingProcesses(ctx: ApiContext): Promise<Record<string, SupervisedState>> {
  const file = ctx.config.CAIRN_SUPERVISOR_STATE_FILE;
  if (!file) return {};
  try {
    const states = JSON.parse(await readFile(file, 'utf8')) as Record<string, SupervisedState>;
    return Object.fromEntries(Object.entries(states).filter(([, s]) => s?.status === 'restarting'));
  } catch {
    return {};
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
    const [mongodb, temporal, restarting] = await Promise.all([
      pingDatabase(ctx.db),
      temporalReachable(ctx),
      restartingProcesses(ctx),
    ]);
    const checks: Record<string, string> = {
      mongodb: mongodb ? 'up' : 'down',
      temporal: temporal ? 'up' : 'down',
    };
    for (const name of Object.keys(restarting)) checks[name] = 'restarting';
    const lag = mongodb ? await foldLag(ctx.db.connection).catch(() => undefined) : undefined;
    const local = ctx.ingestion.folds.backlog();
    const ingestion = {
      ...(lag ? { unfoldedEvents: lag.pendingEvents, foldLagMs: lag.oldestAgeMs } : {}),
      queuedHere: local.events,
      oldestQueuedHereMs: local.oldestAgeMs,
    };
    if (mongodb && temporal) {
      // A crashed worker delays folding and journeys but not ingestion: degraded, still ready to serve.
      if (Object.keys(restarting).length > 0)
        res.json({ status: 'degraded', checks, restarting, ingestion });
      else res.json({ status: 'ready', checks, ingestion });
      return;
    }
    const down = Object.entries(checks)
      .filter(([, v]) => v === 'down')
      .map(([k]) => k);
    res
      .status(503)
      .setHeader('Retry-After', '5')
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: `Not ready: ${down.join(' and ')} unreachable.`,
          checks,
        }),
      );
  });
  return router;
}
