import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { presentedKey } from './auth.js';
import { HttpProblem } from './problem.js';

export interface RateLimitSurface {
  /** What the limited caller is told: "ingestion (/v1)", "the management API (/api/v1)". */
  name: string;
  /** Requests per minute per key; 0 turns the limit off. */
  perMinute: number;
  /** The environment variable that raises it, named in the 429 so an operator knows what to change. */
  setting: string;
  /** Whether a presented key (or session token) identifies the caller; otherwise the client IP does. */
  byKey: boolean;
  /** How to stay under the limit on this surface. */
  advice: string;
}

const WINDOW_MS = 60_000;

/**
 * Who a request counts against: the presented key, hashed (the limiter's store never holds a secret),
 * else the client IP (with IPv6 grouped by /56 so one host cannot rotate through its addresses).
 * The key is not verified here: an unknown key gets its own bucket and then a 401 from requireKey.
 */
export function rateLimitSubject(req: Request, byKey: boolean): { kind: 'key' | 'ip'; id: string } {
  const key = byKey ? presentedKey(req) : undefined;
  if (key)
    return { kind: 'key', id: `key:${createHash('sha256').update(key).digest('base64url')}` };
  return { kind: 'ip', id: `ip:${ipKeyGenerator(req.ip ?? 'unknown')}` };
}

function describeSubject(req: Request, byKey: boolean): string {
  if (rateLimitSubject(req, byKey).kind === 'ip') return 'this client address';
  const key = presentedKey(req) ?? '';
  // Only the public prefix and id part of a Cairn key (`cwk_<id>`), never its secret.
  const visible = /^(cwk|cak)_[A-Za-z0-9]{12}/.exec(key)?.[0];
  return visible ? `key ${visible}_…` : 'this key';
}

/**
 * Requests per minute per caller on one surface of the API, with the standard `RateLimit` and
 * `RateLimit-Policy` headers (IETF draft 8) on every answer, and a 429 problem+json with
 * `Retry-After` that says which limit was hit and what to do about it.
 */
export function rateLimitFor(surface: RateLimitSurface): RequestHandler {
  if (surface.perMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: surface.perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: `${surface.perMinute}-per-minute`,
    keyGenerator: (req) => rateLimitSubject(req, surface.byKey).id,
    // CORS preflights carry no key and cost nothing.
    skip: (req) => req.method === 'OPTIONS',
    handler: (req, res, next) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit
        ?.resetTime;
      const seconds = Math.max(
        1,
        Math.ceil(((resetTime?.getTime() ?? Date.now() + WINDOW_MS) - Date.now()) / 1000),
      );
      next(
        new HttpProblem(
          429,
          'Too Many Requests',
          `${describeSubject(req, surface.byKey)} sent more than ${surface.perMinute} requests in a minute to ${surface.name}. ` +
            `Retry after ${seconds} s; ${surface.advice}, or raise ${surface.setting}.`,
          undefined,
          { 'Retry-After': String(seconds) },
        ),
      );
    },
  });
}
