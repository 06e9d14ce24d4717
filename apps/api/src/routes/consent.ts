import { Router, type Request, type Response } from 'express';
import { contactExists, getSubscriptions, listDeliveries, setSubscriptions } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { DeliveriesQuery, SubscriptionsBody } from '@cairn/contract';

const notFound = (id: string) =>
  HttpProblem.notFound(
    `No contact "${id}" in this workspace. Contacts are created by identify or track calls.`,
  );

/** Consent per channel, and the log of what journeys delivered (or skipped, and why). */
export function consentRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get(
    '/contacts/:id/subscriptions',
    requireRole('viewer'),
    async (req: Request<{ id: string }>, res: Response) => {
      const subscriptions = await getSubscriptions(
        ctx.db.connection,
        workspaceIdOf(res),
        req.params.id,
      );
      if (!subscriptions) throw notFound(req.params.id);
      res.json({ contactId: req.params.id, subscriptions });
    },
  );

  // Merges: channels not named keep their state. Unnamed channels default to subscribed (opt-out model).
  router.put(
    '/contacts/:id/subscriptions',
    requireRole('editor', { audits: 'contact' }),
    async (req: Request<{ id: string }>, res: Response) => {
      const changes = parseOr400(SubscriptionsBody, req.body);
      const before = await getSubscriptions(ctx.db.connection, workspaceIdOf(res), req.params.id);
      const subscriptions = await setSubscriptions(
        ctx.db.connection,
        workspaceIdOf(res),
        req.params.id,
        changes,
      );
      if (!subscriptions) throw notFound(req.params.id);
      await audit(ctx, res, {
        action: 'contact.subscriptionsChanged',
        resource: { type: 'contact', id: req.params.id },
        before: { subscriptions: before ?? {} },
        after: { subscriptions },
      });
      res.json({ contactId: req.params.id, subscriptions });
    },
  );

  router.get(
    '/contacts/:id/deliveries',
    requireRole('viewer'),
    async (req: Request<{ id: string }>, res: Response) => {
      const query = parseOr400(DeliveriesQuery, req.query, 'query string');
      const workspaceId = workspaceIdOf(res);
      if (!(await contactExists(ctx.db.connection, workspaceId, req.params.id)))
        throw notFound(req.params.id);
      const deliveries = await listDeliveries(ctx.db.connection, workspaceId, req.params.id, {
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.before !== undefined ? { before: query.before } : {}),
      });
      res.json({
        contactId: req.params.id,
        deliveries: deliveries.map((d) => ({
          idempotencyKey: d._id,
          journeyId: d.journeyId,
          nodeId: d.nodeId,
          channel: d.channel,
          status: d.status,
          ...(d.reason ? { reason: d.reason } : {}),
          at: new Date(d.at).toISOString(),
        })),
      });
    },
  );

  return router;
}
