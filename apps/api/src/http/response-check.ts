import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { routeContract } from '@cairn/contract';
import { zodFieldErrors } from './problem.js';

/** `METHOD /path` of the route that matched, in Express's syntax, as @cairn/contract keys it. */
function routeKey(req: Request): { method: string; path: string } | undefined {
  const route = (req as { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return undefined;
  return { method: req.method, path: `${req.baseUrl}${route.path}` };
}

/**
 * Every JSON answer checked against the schema @cairn/contract gives its route, as the client will read
 * it (Dates as ISO text, undefined fields gone). A mismatch is a loud 500 naming each field, so a handler
 * that drifts from the contract fails the tests that call it instead of surprising the designer.
 */
export function checkResponses(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const send = res.json.bind(res);
    res.json = ((body: unknown) => {
      if (res.statusCode < 200 || res.statusCode >= 300) return send(body);
      const key = routeKey(req);
      const contract = key && routeContract(key.method, key.path);
      const answer = contract?.answer;
      const where = key ? `${key.method} ${key.path}` : `${req.method} ${req.originalUrl}`;
      let errors: { path: string; message: string }[];
      if (!answer || !('json' in answer)) {
        errors = [{ path: '(route)', message: `@cairn/contract has no JSON answer for ${where}` }];
      } else {
        const wire: unknown = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
        const parsed = answer.json.safeParse(wire);
        if (parsed.success) return send(body);
        errors = zodFieldErrors(parsed.error, 'answer');
      }
      logger.error({ route: where, errors }, 'answer does not match @cairn/contract');
      return unmatched(res, where, errors);
    }) as Response['json'];
    next();
  };
}

function unmatched(res: Response, where: string, errors: { path: string; message: string }[]) {
  res
    .status(500)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: `The answer of ${where} does not match its schema in @cairn/contract: ${errors
          .slice(0, 5)
          .map((e) => `${e.path}: ${e.message}`)
          .join('; ')}`,
        errors,
      }),
    );
  return res;
}
