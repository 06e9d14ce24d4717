import type { Request, RequestHandler, Response } from 'express';
import type { CairnEvent } from '@cairn/core';
import {
  clippedJson,
  recordDebuggerEvents,
  recordDebuggerRefusals,
  type DebuggerRefusal,
} from '@cairn/db';
import type { ApiContext } from '../context.js';
import { keyVerifier, presentedKey } from './auth.js';
import type { FieldError, HttpProblem } from './problem.js';

type ProblemHook = (problem: HttpProblem) => void;

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

function bodyOf(req: Request): Record<string, unknown> | undefined {
  const body: unknown = req.body;
  if (body && typeof body === 'object' && !Array.isArray(body))
    return body as Record<string, unknown>;
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // The raw text is shown as it came.
    }
  }
  return undefined;
}

/** The refusal as the debugger lists it; ids and event name come from the body when it said them. */
export function refusalOf(
  req: Request,
  status: number,
  title: string,
  detail: string | undefined,
  errors: FieldError[],
  body: unknown = req.body,
): DebuggerRefusal {
  const fields =
    body === req.body ? bodyOf(req) : ((body as Record<string, unknown> | undefined) ?? undefined);
  const { text: copy, truncated } = clippedJson(body ?? '');
  const userId = text(fields?.userId);
  const anonymousId = text(fields?.anonymousId);
  const event = text(fields?.event);
  return {
    at: Date.now(),
    method: req.method,
    path: req.originalUrl.split('?')[0] ?? req.originalUrl,
    status,
    title,
    ...(detail !== undefined ? { detail } : {}),
    errors: errors.slice(0, 50),
    ...(userId !== undefined ? { userId } : {}),
    ...(anonymousId !== undefined ? { anonymousId } : {}),
    ...(event !== undefined ? { event } : {}),
    body: copy,
    truncated,
  };
}

/**
 * What the event debugger shows of /v1 calls. Recording never holds up or fails the answer: it runs after
 * the response is decided, coalesced per workspace in @cairn/db, and a failure is only logged.
 */
export function debuggerWatch(ctx: ApiContext) {
  const verify = keyVerifier(ctx);
  const logFailure = (error: unknown) =>
    ctx.logger.warn({ err: error }, 'event debugger: recording failed');

  /** Resolves the workspace of a refused call: its verified key, or (refused before auth) the header's key. */
  async function workspaceOf(req: Request, res: Response): Promise<string | undefined> {
    const auth = res.locals.auth as { workspaceId?: string } | undefined;
    if (auth?.workspaceId) return auth.workspaceId;
    const presented = presentedKey(req);
    return presented ? (await verify(presented))?.workspaceId : undefined;
  }

  const watch: RequestHandler = (req, res, next) => {
    res.locals.onProblem = ((problem) => {
      // 401s name no workspace to file under; 5xx are the server's fault, not the caller's call.
      if (problem.status === 401 || problem.status >= 500) return;
      const refusal = refusalOf(
        req,
        problem.status,
        problem.title,
        problem.detail,
        problem.errors ?? [],
      );
      workspaceOf(req, res)
        .then((workspaceId) =>
          workspaceId
            ? recordDebuggerRefusals(ctx.db.connection, workspaceId, [refusal])
            : undefined,
        )
        .catch(logFailure);
    }) satisfies ProblemHook;
    next();
  };

  return {
    watch,
    accepted(workspaceId: string, events: CairnEvent[]) {
      recordDebuggerEvents(ctx.db.connection, workspaceId, events).catch(logFailure);
    },
    refused(workspaceId: string, refusals: DebuggerRefusal[]) {
      recordDebuggerRefusals(ctx.db.connection, workspaceId, refusals).catch(logFailure);
    },
  };
}
