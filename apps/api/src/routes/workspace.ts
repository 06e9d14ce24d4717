import { Router } from 'express';
import { z } from 'zod';
import { isValidTimeZone } from '@cairn/core';
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

// CR and LF would let a display name inject mail headers.
const oneLine = (what: string) =>
  z
    .string()
    .trim()
    .max(200, 'must be at most 200 characters')
    .refine((v) => !/[\r\n]/.test(v), `${what} must be one line`);

export const SenderBody = z.strictObject({
  name: oneLine('the sender name').optional(),
  address: z
    .string()
    .trim()
    .email('must be an email address, e.g. "hello@acme.test"')
    .max(254, 'must be at most 254 characters'),
  credential: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must name a stored credential, e.g. "smtp-main"')
    .optional(),
});

export const WorkspaceSettingsBody = z.strictObject({
  name: oneLine('the workspace name').pipe(z.string().min(1, 'must not be empty')).optional(),
  timezone: z
    .string()
    .refine(isValidTimeZone, 'must be an IANA time zone, e.g. "Europe/Paris" or "UTC"')
    .optional(),
  sender: SenderBody.nullable().optional(),
});

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
