import { Router } from 'express';
import {
  createApiKey,
  createUser,
  deleteUser,
  findApiKey,
  generatePassword,
  listApiKeys,
  listAudit,
  listUsers,
  normalizeEmail,
  revokeApiKey,
  revokeSession,
  signIn,
  updateUser,
  userView,
  type UserDoc,
} from '@cairn/db';
import type { ApiContext } from '../context.js';
import { principalOf, publicRoute, requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import {
  AuditQuery,
  CreateKeyBody,
  CreateUserBody,
  SignInBody,
  UpdateUserBody,
} from '@cairn/contract';

/** What the audit log compares for a user: never the password hash, only that it changed. */
function auditedUser(user: UserDoc) {
  return { name: user.name, role: user.role, disabled: user.disabled, password: user.passwordHash };
}

/** Sign-in, users, API keys and the audit log of the management API. */
export function accessRoutes(ctx: ApiContext): Router {
  const router = Router();
  const connection = () => ctx.db.connection;

  router.delete('/sessions/current', requireRole('viewer', 'ownSession'), async (_req, res) => {
    const principal = principalOf(res);
    if (!principal.sessionId)
      throw HttpProblem.badRequest(
        'This request is signed with an API key, not a session; revoke a key with DELETE /api/v1/keys/:id.',
        [{ path: 'Authorization', message: 'an API key, not a session token' }],
      );
    await revokeSession(connection(), principal.sessionId);
    res.status(204).end();
  });

  router.get('/users', requireRole('admin'), async (_req, res) => {
    res.json({ users: await listUsers(connection(), workspaceIdOf(res)) });
  });

  router.post('/users', requireRole('admin', { audits: 'user' }), async (req, res) => {
    const body = parseOr400(CreateUserBody, req.body ?? {});
    const initial = body.password ?? generatePassword();
    const name = body.name ?? body.email.split('@')[0] ?? body.email;
    const created = await createUser(connection(), workspaceIdOf(res), {
      email: body.email,
      name,
      role: body.role,
      password: initial,
    });
    if ('exists' in created)
      throw HttpProblem.conflict(
        `email: "${body.email}" already has an account in this workspace; change it with PUT /api/v1/users/${body.email}.`,
      );
    await audit(ctx, res, {
      action: 'user.created',
      resource: { type: 'user', id: body.email, name },
      before: {},
      after: { name, role: body.role, disabled: false, password: 'set' },
      redact: ['password'],
    });
    // A generated password is shown once, here; a chosen one is never echoed.
    res
      .status(201)
      .location(`/api/v1/users/${encodeURIComponent(body.email)}`)
      .json({ user: created.user, ...(body.password ? {} : { password: initial }) });
  });

  router.put('/users/:email', requireRole('admin', { audits: 'user' }), async (req, res) => {
    const body = parseOr400(UpdateUserBody, req.body ?? {});
    const principal = principalOf(res);
    const target = normalizeEmail(req.params.email);
    if (
      principal.actor.type === 'user' &&
      principal.actor.email === target &&
      (body.disabled === true || (body.role && body.role !== 'admin'))
    ) {
      throw HttpProblem.conflict(
        'You cannot demote or disable yourself; ask another admin, so the workspace never loses its last admin by accident.',
      );
    }
    const updated = await updateUser(connection(), workspaceIdOf(res), target, body);
    if (!updated) throw HttpProblem.notFound(`No user "${target}" in this workspace.`);
    await audit(ctx, res, {
      action: body.disabled === true && !updated.before.disabled ? 'user.disabled' : 'user.updated',
      resource: { type: 'user', id: target, name: updated.after.name },
      before: auditedUser(updated.before),
      after: auditedUser(updated.after),
      redact: ['password'],
    });
    res.json({ user: userView(updated.after) });
  });

  router.delete('/users/:email', requireRole('admin', { audits: 'user' }), async (req, res) => {
    const principal = principalOf(res);
    const target = normalizeEmail(req.params.email);
    if (principal.actor.type === 'user' && principal.actor.email === target)
      throw HttpProblem.conflict(
        'You cannot remove yourself; ask another admin, so the workspace never loses its last admin by accident.',
      );
    const removed = await deleteUser(connection(), workspaceIdOf(res), target);
    if (!removed) throw HttpProblem.notFound(`No user "${target}" in this workspace.`);
    await audit(ctx, res, {
      action: 'user.deleted',
      resource: { type: 'user', id: target, name: removed.name },
      before: auditedUser(removed),
      after: {},
      redact: ['password'],
    });
    res.status(204).end();
  });

  router.get('/keys', requireRole('admin'), async (_req, res) => {
    res.json({ keys: await listApiKeys(connection(), workspaceIdOf(res)) });
  });

  router.post('/keys', requireRole('admin', { audits: 'apiKey' }), async (req, res) => {
    const body = parseOr400(CreateKeyBody, req.body ?? {});
    const workspaceId = workspaceIdOf(res);
    const key = await createApiKey(connection(), workspaceId, body.scope, body.name);
    const id = key.split('_')[1] ?? '';
    const view = await findApiKey(connection(), workspaceId, id);
    await audit(ctx, res, {
      action: 'apiKey.created',
      resource: { type: 'apiKey', id, name: body.name },
      before: {},
      after: { name: body.name, scope: body.scope },
    });
    // The full key is shown once; only its hash is stored.
    res
      .status(201)
      .location(`/api/v1/keys/${id}`)
      .json({ ...view, key });
  });

  router.delete('/keys/:id', requireRole('admin', { audits: 'apiKey' }), async (req, res) => {
    const workspaceId = workspaceIdOf(res);
    const before = await findApiKey(connection(), workspaceId, req.params.id);
    if (!before || !(await revokeApiKey(connection(), workspaceId, req.params.id)))
      throw HttpProblem.notFound(`No API key "${req.params.id}" in this workspace.`);
    const after = await findApiKey(connection(), workspaceId, req.params.id);
    await audit(ctx, res, {
      action: 'apiKey.revoked',
      resource: { type: 'apiKey', id: before.id, name: before.name },
      before: { revokedAt: before.revokedAt },
      after: { revokedAt: after?.revokedAt },
    });
    res.status(204).end();
  });

  router.get('/audit', requireRole('viewer'), async (req, res) => {
    const query = parseOr400(AuditQuery, req.query, 'query string');
    res.json(await listAudit(connection(), workspaceIdOf(res), query));
  });

  return router;
}

/** POST /sessions: the one management route that answers before authentication. */
export function signInRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/sessions', publicRoute(), async (req, res) => {
    const body = parseOr400(SignInBody, req.body ?? {});
    const session = await signIn(ctx.db.connection, body);
    // One answer for an unknown email, a wrong password and a disabled account: no user enumeration.
    if (!session)
      throw HttpProblem.unauthorized(
        'The email or password is wrong (or the account is disabled).',
      );
    res
      .status(201)
      .json({ token: session.token, user: session.user, expiresAt: session.expiresAt });
  });
  return router;
}
