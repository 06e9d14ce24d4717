import { Router } from 'express';
import {
  describeCredential,
  findWorkspace,
  updateWorkspaceSettings,
  type WorkspaceDoc,
} from '@cairn/db';
import type { ApiContext } from '../context.js';
import { principalOf, requireRole, workspaceIdOf } from '../http/auth.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { audit } from '../http/audit.js';
import { WorkspaceSettingsBody } from '@cairn/contract';

export function workspaceView(workspace: WorkspaceDoc) {
  return {
    id: workspace._id,
    name: workspace.name,
    slug: workspace.slug,
    settings: {
      ...workspace.settings,
      sender: workspace.settings?.sender ?? null,
    },
  };
}

/** The workspace itself: who is asking (/me) and its name, time zone and default sender. */
export function workspaceRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get('/me', requireRole('viewer'), async (_req, res) => {
    const workspace = await findWorkspace(ctx.db.connection, workspaceIdOf(res));
    if (!workspace) throw HttpProblem.notFound('The workspace of this key no longer exists.');
    const { role, actor } = principalOf(res);
    res.json({ workspace: workspaceView(workspace), principal: { ...actor, role } });
  });

  // Day windows of segments turn at midnight in settings.timezone (docs/segments.md); email steps
  // without a `from` send as settings.sender (docs/actions.md).
  router.patch(
    '/workspace/settings',
    requireRole('admin', { audits: 'workspace' }),
    async (req, res) => {
      const body = parseOr400(WorkspaceSettingsBody, req.body ?? {});
      const workspaceId = workspaceIdOf(res);
      const credential = body.sender?.credential;
      if (credential) {
        const found = await describeCredential(ctx.db.connection, workspaceId, credential);
        if (!found || found.type !== 'smtp')
          throw HttpProblem.badRequest(
            `sender.credential: ${found ? `"${credential}" is a ${found.type} credential, not smtp` : `no credential "${credential}" in this workspace`}; store one of type "smtp" (host, port, user, pass) under Settings → Senders first.`,
            [
              {
                path: 'sender.credential',
                message: found ? 'must be an smtp credential' : 'no such credential',
              },
            ],
          );
      }
      const before = await findWorkspace(ctx.db.connection, workspaceId);
      const workspace = await updateWorkspaceSettings(ctx.db.connection, workspaceId, body);
      if (!before || !workspace)
        throw HttpProblem.notFound('The workspace of this key no longer exists.');
      await audit(ctx, res, {
        action: 'workspace.updated',
        resource: { type: 'workspace', id: workspaceId, name: workspace.name },
        before: workspaceView(before),
        after: workspaceView(workspace),
      });
      res.json({ workspace: workspaceView(workspace) });
    },
  );

  return router;
}
