import { Router, type Request, type Response } from 'express';
import {
  deleteCredential,
  describeCredential,
  listCredentials,
  readCredential,
  saveCredential,
  type CredentialSummary,
} from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { CredentialCreateBody, CredentialNameParam, CredentialReplaceBody } from '@cairn/contract';

/**
 * The stored type and values before a replace, opened only to tell which fields changed (the audit
 * log redacts them). A record this key cannot open still shows its field names, as changed.
 */
async function previousValues(
  ctx: ApiContext,
  secretKey: string,
  workspaceId: string,
  name: string,
) {
  const summary = await describeCredential(ctx.db.connection, workspaceId, name);
  if (!summary) return undefined;
  const values = await readCredential(ctx.db.connection, secretKey, workspaceId, name).catch(() =>
    Object.fromEntries(summary.fields.map((f) => [f, '\u0000unreadable'])),
  );
  return { type: summary.type, values };
}

function present(c: CredentialSummary) {
  return {
    name: c.name,
    type: c.type,
    fields: c.fields,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/**
 * Secrets for actions, encrypted at rest. Values go in and never come out of the API: only the
 * worker reads them (readCredential), at run time, so they stay out of journey configs and history.
 */
export function credentialRoutes(ctx: ApiContext): Router {
  const router = Router();
  const secretKey = (): string => {
    const key = ctx.config.CAIRN_SECRET_KEY;
    if (!key)
      throw HttpProblem.unavailable(
        'Credentials cannot be stored: CAIRN_SECRET_KEY is not set on the API. Set it (at least 32 characters) and restart.',
        60,
      );
    return key;
  };

  router.get('/credentials', requireRole('admin'), async (_req: Request, res: Response) => {
    res.json({
      credentials: (await listCredentials(ctx.db.connection, workspaceIdOf(res))).map(present),
    });
  });

  router.post(
    '/credentials',
    requireRole('admin', { audits: 'credential' }),
    async (req: Request, res: Response) => {
      const body = parseOr400(CredentialCreateBody, req.body);
      const saved = await saveCredential(
        ctx.db.connection,
        secretKey(),
        workspaceIdOf(res),
        body,
        'create',
      );
      if ('conflict' in saved)
        throw HttpProblem.conflict(
          `name: a credential "${body.name}" already exists; replace it with PUT /api/v1/credentials/${body.name} or choose another name.`,
        );
      // Values are diffed to name the changed fields, and redacted: no secret reaches the audit log.
      await audit(ctx, res, {
        action: 'credential.created',
        resource: { type: 'credential', id: body.name, name: body.name },
        before: {},
        after: { type: body.type, values: body.values },
        redact: ['values'],
      });
      res.status(201).location(`/api/v1/credentials/${body.name}`).json(present(saved.credential));
    },
  );

  router.get(
    '/credentials/:name',
    requireRole('admin'),
    async (req: Request<{ name: string }>, res: Response) => {
      const found = await describeCredential(
        ctx.db.connection,
        workspaceIdOf(res),
        req.params.name,
      );
      if (!found)
        throw HttpProblem.notFound(`No credential "${req.params.name}" in this workspace.`);
      res.json(present(found));
    },
  );

  // Replaces all values (rotating an API token, for instance); creates the credential if it is new.
  router.put(
    '/credentials/:name',
    requireRole('admin', { audits: 'credential' }),
    async (req: Request<{ name: string }>, res: Response) => {
      const name = parseOr400(CredentialNameParam, req.params.name, 'credential name', 'name');
      const body = parseOr400(CredentialReplaceBody, req.body);
      const before = await previousValues(ctx, secretKey(), workspaceIdOf(res), name);
      const saved = await saveCredential(
        ctx.db.connection,
        secretKey(),
        workspaceIdOf(res),
        { name, ...body },
        'replace',
      );
      if ('conflict' in saved) throw new Error('unreachable: replace never conflicts');
      await audit(ctx, res, {
        action: saved.created ? 'credential.created' : 'credential.updated',
        resource: { type: 'credential', id: name, name },
        before: before ?? {},
        after: { type: body.type, values: body.values },
        redact: ['values'],
      });
      res.status(saved.created ? 201 : 200).json(present(saved.credential));
    },
  );

  router.delete(
    '/credentials/:name',
    requireRole('admin', { audits: 'credential' }),
    async (req: Request<{ name: string }>, res: Response) => {
      if (!(await deleteCredential(ctx.db.connection, workspaceIdOf(res), req.params.name))) {
        throw HttpProblem.notFound(`No credential "${req.params.name}" in this workspace.`);
      }
      await audit(ctx, res, {
        action: 'credential.deleted',
        resource: { type: 'credential', id: req.params.name, name: req.params.name },
        changes: [],
      });
      res.status(204).end();
    },
  );

  return router;
}
