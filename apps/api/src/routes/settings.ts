import { Router, type Request, type Response } from 'express';
import { PROFILE_SETTINGS_CACHE_MS, setWorkspaceAffinities, workspaceAffinities } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { AffinitiesBody } from '@cairn/contract';

const answer = (affinities: unknown) => ({
  affinities,
  // Said with every answer: a new definition counts the events folded after it, not the history.
  appliesFrom: 'events folded from now on',
  settledWithinSeconds: PROFILE_SETTINGS_CACHE_MS / 1000,
});

/** Workspace settings the profile fold reads: which event property counts as an affinity. */
export function settingsRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get('/settings/affinities', requireRole('viewer'), async (_req, res: Response) => {
    const found = await workspaceAffinities(ctx.db.connection, workspaceIdOf(res));
    if (!found) throw HttpProblem.notFound('The workspace of this key no longer exists.');
    res.json(answer(found));
  });

  router.put(
    '/settings/affinities',
    requireRole('editor', { audits: 'settings' }),
    async (req: Request, res: Response) => {
      const body = parseOr400(AffinitiesBody, req.body);
      const workspaceId = workspaceIdOf(res);
      const before = await workspaceAffinities(ctx.db.connection, workspaceId);
      if (
        !before ||
        !(await setWorkspaceAffinities(ctx.db.connection, workspaceId, body.affinities))
      )
        throw HttpProblem.notFound('The workspace of this key no longer exists.');
      await audit(ctx, res, {
        action: 'settings.updated',
        resource: { type: 'settings', id: 'affinities', name: 'Affinities' },
        before: { affinities: before },
        after: { affinities: body.affinities },
      });
      res.json(answer(body.affinities));
    },
  );

  return router;
}
