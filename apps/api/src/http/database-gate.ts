import type { RequestHandler } from 'express';
import type { ApiContext } from '../context.js';
import { HttpProblem } from './problem.js';

/**
 * Answers 503 at once while the driver knows the database is unreachable (its monitor marked the
 * server unknown), instead of letting each request wait out server selection once per query: a request
 * with three queries would otherwise hang for 30 s before failing. The monitor flips the state back
 * when the database returns, so the API recovers by itself.
 */
export function requireDatabase(ctx: ApiContext): RequestHandler {
  return (_req, _res, next) => {
    if (ctx.db.connection.readyState === 1) return next();
    next(
      HttpProblem.unavailable('The database is unreachable; nothing was written. Retry shortly.'),
    );
  };
}
