import { Router } from 'express';
import { SEND_LIMITS_CACHE_MS, getSendLimits, setSendLimits, workspaceExists } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { SendLimitsBody } from '@cairn/contract';

const answer = (limits: unknown) => ({
  limits,
  // Workers read the limits at most this old, so a change holds everywhere within it.
  settledWithinSeconds: SEND_LIMITS_CACHE_MS / 1000,
});

/** Per-channel send rate limits of the workspace: sends over a limit wait for the next window. */
export function sendLimitRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get('/settings/send-limits', requireRole('viewer'), async (_req, res) => {
    res.json(answer(await getSendLimits(ctx.db.connection, workspaceIdOf(res))));
  });

  router.put(
    '/settings/send-limits',
    requireRole('admin', { audits: 'settings' }),
    async (req, res) => {
      const body = parseOr400(SendLimitsBody, req.body);
      const workspaceId = workspaceIdOf(res);
      if (!(await workspaceExists(ctx.db.connection, workspaceId)))
        throw HttpProblem.notFound('The workspace of this key no longer exists.');
      const before = await getSendLimits(ctx.db.connection, workspaceId);
      await setSendLimits(ctx.db.connection, workspaceId, body.limits);
      await audit(ctx, res, {
        action: 'settings.updated',
        resource: { type: 'settings', id: 'send-limits', name: 'Send limits' },
        before: { limits: before },
        after: { limits: body.limits },
      });
      res.json(answer(body.limits));
    },
  );

  return router;
}
