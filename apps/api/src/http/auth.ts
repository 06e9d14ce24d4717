import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { verifyApiKey, type ApiKeyScope, type VerifiedKey } from '@cairn/db';
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

export function authOf(res: Response): VerifiedKey {
  const auth = res.locals.auth as VerifiedKey | undefined;
  if (!auth) throw new Error('route used without requireKey');
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
        if (!key) return next(HttpProblem.unauthorized('The key is unknown or revoked. Check it in the workspace settings or create a new one.'));
        if (scope === 'admin' && key.scope !== 'admin') {
          return next(HttpProblem.forbidden('This is a write key: it can only send events. Use an admin key for the management API.'));
        }
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
