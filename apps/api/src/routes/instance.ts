import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import {
  createUser,
  createWorkspace,
  generatePassword,
  isDuplicateKeyError,
  listWorkspaces,
  recordAudit,
} from '@cairn/db';
import type { ApiContext } from '../context.js';
import { presentedKey, type DeclaredHandler, type RouteEffect } from '../http/auth.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { workspaceView } from './workspace.js';
import { CreateWorkspaceBody } from '@cairn/contract';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The instance admin: whoever presents CAIRN_ADMIN_TOKEN as a Bearer token. Not a workspace role, so
 * no workspace key or session passes, whatever its role (docs/security.md).
 */
export function requireInstanceAdmin(ctx: ApiContext, effect?: RouteEffect): DeclaredHandler {
  const handler = ((req: Request, _res: Response, next: NextFunction) => {
    const token = ctx.config.CAIRN_ADMIN_TOKEN;
    const presented = presentedKey(req);
    if (!presented)
      return next(
        HttpProblem.unauthorized(
          'Send the instance admin token: Authorization: Bearer <CAIRN_ADMIN_TOKEN>.',
        ),
      );
    if (!token)
      return next(
        HttpProblem.forbidden(
          'Instance administration over HTTP is off: CAIRN_ADMIN_TOKEN is not set on the API. Set it (at least 32 characters) and restart, or use `cairn workspace create`.',
        ),
      );
    // Compared as hashes, in constant time, so the token's length and prefix do not leak.
    if (!timingSafeEqual(digest(presented), digest(token)))
      return next(
        HttpProblem.forbidden(
          'This needs the instance admin token (CAIRN_ADMIN_TOKEN); a workspace key or session cannot manage workspaces, whatever its role.',
        ),
      );
    next();
  }) as DeclaredHandler;
  handler.policy = { role: 'instance', ...(effect ? { effect } : {}) };
  return handler;
}

/** Workspaces, created and listed by the instance admin over HTTP (before: only the CLI could). */
export function instanceRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get('/admin/workspaces', requireInstanceAdmin(ctx), async (_req, res) => {
    res.json({ workspaces: (await listWorkspaces(ctx.db.connection)).map(workspaceView) });
  });

  router.post(
    '/admin/workspaces',
    requireInstanceAdmin(ctx, { audits: 'workspace' }),
    async (req, res) => {
      const body = parseOr400(CreateWorkspaceBody, req.body ?? {});
      let created;
      try {
        created = await createWorkspace(ctx.db.connection, {
          name: body.name,
          ...(body.slug ? { slug: body.slug } : {}),
          ...(body.timezone ? { timezone: body.timezone } : {}),
        });
      } catch (error) {
        if (isDuplicateKeyError(error))
          throw HttpProblem.conflict(
            `slug: a workspace "${body.slug ?? body.name}" already exists; choose another slug.`,
          );
        throw error;
      }
      const workspaceId = created.workspace._id;
      let admin: { user: unknown; password?: string } | undefined;
      if (body.admin) {
        const password = body.admin.password ?? generatePassword();
        const user = await createUser(ctx.db.connection, workspaceId, {
          email: body.admin.email,
          name: body.admin.name ?? body.admin.email.split('@')[0] ?? body.admin.email,
          role: 'admin',
          password,
        });
        if ('user' in user)
          admin = { user: user.user, ...(body.admin.password ? {} : { password }) };
      }
      // The new workspace's log starts with who made it.
      await recordAudit(ctx.db.connection, {
        workspaceId,
        actor: { type: 'key', id: 'instance-admin', name: 'Instance admin (CAIRN_ADMIN_TOKEN)' },
        action: 'workspace.created',
        resource: { type: 'workspace', id: workspaceId, name: body.name },
        changes: [],
      });
      res.locals.audited = true;
      // The keys and a generated password are shown once, here.
      res.status(201).json({
        workspace: workspaceView(created.workspace),
        writeKey: created.writeKey,
        adminKey: created.adminKey,
        ...(admin ? { admin } : {}),
      });
    },
  );

  return router;
}
