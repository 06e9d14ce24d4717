import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { ackInAppMessage, contactExists, listInAppMessages } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireKey, workspaceIdOf } from '../http/auth.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { InAppAckBody, InAppMessagesQuery } from '@cairn/contract';

/** Apps call this from browsers on other origins with the write key in a header, never with cookies. */
function cors(req: Request, res: Response, next: NextFunction) {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Max-Age', '600');
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  next();
}

/**
 * The in-app inbox for your app: `GET /v1/in-app/messages?userId=` lists the contact's unread,
 * unexpired messages; `POST /v1/in-app/messages/:messageId/ack` marks one as seen. Authenticated by
 * the write key (the same one the app uses to send events) and scoped to its workspace.
 */
export function inAppRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.use(cors);
  router.use(express.json({ limit: '8kb' }));
  router.use(requireKey(ctx, 'write'));

  router.get('/messages', async (req: Request, res: Response) => {
    const query = parseOr400(InAppMessagesQuery, req.query, 'query string');
    const workspaceId = workspaceIdOf(res);
    // An unknown user is a 404 rather than an empty inbox, so a key from the wrong workspace is noticed at once.
    if (!(await contactExists(ctx.db.connection, workspaceId, query.userId))) {
      throw HttpProblem.notFound(
        `No contact with userId "${query.userId}" in this workspace. Send an identify call for the user first.`,
      );
    }
    const messages = await listInAppMessages(
      ctx.db.connection,
      workspaceId,
      query.userId,
      query.limit !== undefined ? { limit: query.limit } : {},
    );
    res.set('Cache-Control', 'no-store').json({ userId: query.userId, messages });
  });

  router.post(
    '/messages/:messageId/ack',
    async (req: Request<{ messageId: string }>, res: Response) => {
      const body = parseOr400(InAppAckBody, req.body ?? {});
      const userId =
        body.userId ?? (typeof req.query.userId === 'string' ? req.query.userId : undefined);
      if (!userId)
        throw HttpProblem.badRequest(
          'userId: is required, in the query string (?userId=) or the JSON body.',
          [{ path: 'userId', message: 'is required' }],
        );
      const found = await ackInAppMessage(
        ctx.db.connection,
        workspaceIdOf(res),
        userId,
        req.params.messageId,
      );
      if (!found)
        throw HttpProblem.notFound(
          `No in-app message "${req.params.messageId}" for user "${userId}" in this workspace.`,
        );
      res.json({ acknowledged: true, messageId: req.params.messageId });
    },
  );

  return router;
}
