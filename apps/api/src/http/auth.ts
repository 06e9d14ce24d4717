import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  isSessionToken,
  KEY_USE_RESOLUTION_MS,
  recordKeyUse,
  roleAtLeast,
  verifyApiKey,
  verifySession,
  type ApiKeyScope,
  type AuditActor,
  type Role,
  type VerifiedKey,
} from '@cairn/db';
import type { ApiContext } from '../context.js';
import { HttpProblem } from './problem.js';

/** The key a request presented: `Authorization: Basic base64(key:)` (as Segment sends it) or `Bearer key`. */
export function presentedKey(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [kind, value] = header.split(' ', 2) as [string, string | undefined];
  if (!value) return undefined;
  if (/^bearer$/i.test(kind)) return value.trim();
  if (/^basic$/i.test(kind)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const user = decoded.split(':')[0];
    return user || undefined;
  }
  return undefined;
}

const CACHE_MS = 10_000;

/** Verifies keys with a short cache so hot ingestion does not hit the database per request. */
export function keyVerifier(ctx: ApiContext) {
  const cache = new Map<string, { key: VerifiedKey | undefined; until: number }>();
  return async (presented: string): Promise<VerifiedKey | undefined> => {
    const hit = cache.get(presented);
    if (hit && hit.until > Date.now()) return hit.key;
    const key = await verifyApiKey(ctx.db.connection, presented);
    if (cache.size > 10_000) cache.clear();
    cache.set(presented, { key, until: Date.now() + CACHE_MS });
    return key;
  };
}

const keyUses = new WeakMap<ApiContext, Map<string, number>>();

/**
 * Records a key's "last used" without delaying the request: at most one write per key per minute
 * from this process (the database write re-checks, so several processes still write about once).
 */
export function noteKeyUse(ctx: ApiContext, keyId: string, now = Date.now()): void {
  let seen = keyUses.get(ctx);
  if (!seen) keyUses.set(ctx, (seen = new Map()));
  const last = seen.get(keyId);
  if (last !== undefined && now - last < KEY_USE_RESOLUTION_MS) return;
  if (seen.size > 10_000) seen.clear();
  seen.set(keyId, now);
  recordKeyUse(ctx.db.connection, keyId, new Date(now)).catch((error: unknown) =>
    ctx.logger.warn({ err: error, keyId }, 'could not record the last use of an API key'),
  );
}

export function authOf(res: Response): VerifiedKey | Principal {
  const auth = res.locals.auth as VerifiedKey | Principal | undefined;
  if (!auth) throw new Error('route used without requireKey or requireMember');
  return auth;
}

/** The workspace of the authenticated key: every query is scoped by it. */
export function workspaceIdOf(res: Response): string {
  return authOf(res).workspaceId;
}

/**
 * Requires a key of the given scope. Admin keys may also ingest; write keys may only ingest, so a
 * key shipped in a browser can never read data back.
 */
export function requireKey(ctx: ApiContext, scope: ApiKeyScope): RequestHandler {
  const verify = keyVerifier(ctx);
  return (req: Request, res: Response, next: NextFunction) => {
    const presented = presentedKey(req) ?? (scope === 'write' ? writeKeyInBody(req) : undefined);
    if (!presented) {
      next(
        HttpProblem.unauthorized(
          scope === 'write'
            ? 'Missing write key: send it as the HTTP Basic username (Authorization: Basic base64("<writeKey>:")), as Segment libraries do.'
            : 'Missing admin key: send Authorization: Bearer <adminKey>.',
        ),
      );
      return;
    }
    verify(presented).then(
      (key) => {
        if (!key)
          return next(
            HttpProblem.unauthorized(
              'The key is unknown or revoked. Check it in the workspace settings or create a new one.',
            ),
          );
        if (scope === 'admin' && key.scope !== 'admin') {
          return next(
            HttpProblem.forbidden(
              'This is a write key: it can only send events. Use an admin key for the management API.',
            ),
          );
        }
        noteKeyUse(ctx, key.keyId);
        res.locals.auth = key;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

function writeKeyInBody(req: Request): string | undefined {
  const body = req.body as { writeKey?: unknown } | undefined;
  return typeof body?.writeKey === 'string' ? body.writeKey : undefined;
}

/** Who is calling the management API: a signed-in user, or an admin key (which acts as a workspace admin). */
export interface Principal {
  workspaceId: string;
  role: Role;
  actor: AuditActor;
  /** Set for a signed-in user: the session that sign-out ends. */
  sessionId?: string;
}

export function principalOf(res: Response): Principal {
  const auth = res.locals.auth as Principal | undefined;
  if (!auth || !('role' in auth)) throw new Error('route used without requireMember');
  return auth;
}

/**
 * Authenticates the management API: a user's session token (`cus_...`) or an admin key (`cak_...`),
 * both as `Authorization: Bearer`. Sessions are checked on every request (no cache), so sign-out,
 * a disabled account or a role change take effect at once.
 */
export function requireMember(ctx: ApiContext): RequestHandler {
  const verifyKey = keyVerifier(ctx);
  return (req: Request, res: Response, next: NextFunction) => {
    const presented = presentedKey(req);
    if (!presented) {
      next(
        HttpProblem.unauthorized(
          'Sign in first: send Authorization: Bearer <session token> (POST /api/v1/sessions) or Bearer <adminKey>.',
        ),
      );
      return;
    }
    const check = async (): Promise<Principal> => {
      if (isSessionToken(presented)) {
        const session = await verifySession(ctx.db.connection, presented);
        if (!session)
          throw HttpProblem.unauthorized(
            'The session has expired or was signed out. Sign in again with POST /api/v1/sessions.',
          );
        return {
          workspaceId: session.workspaceId,
          role: session.role,
          actor: { type: 'user', id: session.email, email: session.email, name: session.name },
          sessionId: session.sessionId,
        };
      }
      const key = await verifyKey(presented);
      if (!key)
        throw HttpProblem.unauthorized(
          'The key is unknown or revoked. Check it in the workspace settings or create a new one.',
        );
      if (key.scope !== 'admin')
        throw HttpProblem.forbidden(
          'This is a write key: it can only send events. Use an admin key for the management API.',
        );
      noteKeyUse(ctx, key.keyId);
      return { workspaceId: key.workspaceId, role: 'admin', actor: { type: 'key', id: key.keyId } };
    };
    check().then(
      (principal) => {
        res.locals.auth = principal;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/**
 * What a non-GET route does: which resource it changes (and so audits), that it only reads
 * (previews, validation), or that it touches only the caller's own session (sign-out).
 */
export type RouteEffect = { audits: string } | 'readOnly' | 'ownSession';

/** The declaration each management route carries; the route-table test reads it from the route's handlers. */
export interface RoutePolicy {
  /** `instance`: the instance admin's token (CAIRN_ADMIN_TOKEN), not a workspace role. */
  role: Role | 'public' | 'instance';
  effect?: RouteEffect;
}

// Typed loosely so the route's own handler still infers its path parameters from the path.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DeclaredHandler = RequestHandler<any, any, any, any> & { policy: RoutePolicy };

function describeCaller(principal: Principal): string {
  return principal.actor.type === 'user'
    ? `${principal.actor.email} has the ${principal.role} role`
    : `this key has the ${principal.role} role`;
}

/**
 * The one place roles are enforced. Every management route declares the least role it needs
 * (viewer < editor < publisher < admin) and, unless it is a GET, what it changes; a route that
 * changes a resource must write an audit entry (see http/audit.ts), or the server logs an error.
 */
export function requireRole(role: Role, effect?: RouteEffect): DeclaredHandler {
  const handler = ((req: Request, res: Response, next: NextFunction) => {
    const principal = principalOf(res);
    if (!roleAtLeast(principal.role, role)) {
      next(
        HttpProblem.forbidden(
          `This needs the ${role} role or higher; ${describeCaller(principal)}. Ask a workspace admin to change your role.`,
        ),
      );
      return;
    }
    if (effect && typeof effect === 'object') {
      res.on('finish', () => {
        if (res.statusCode < 300 && !res.locals.audited) {
          (req as { log?: { error: (o: unknown, m: string) => void } }).log?.error(
            { route: req.route?.path, audits: effect.audits },
            'a change was made without an audit entry',
          );
        }
      });
    }
    next();
  }) as DeclaredHandler;
  handler.policy = { role, ...(effect ? { effect } : {}) };
  return handler;
}

/** Marks a management route that answers without signing in (only POST /sessions). */
export function publicRoute(): DeclaredHandler {
  const handler = ((_req: Request, _res: Response, next: NextFunction) =>
    next()) as DeclaredHandler;
  handler.policy = { role: 'public' };
  return handler;
}
