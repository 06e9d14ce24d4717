import { Router } from 'express';
import type { ActionRegistry } from '@cairn/action-sdk';
import { createActionRegistry } from '@cairn/actions';
import type { ApiContext } from '../context.js';
import { requireRole } from '../http/auth.js';

const registries = new WeakMap<ApiContext, ActionRegistry>();

/**
 * The actions this deployment can run: the built-ins plus CAIRN_ACTION_PACKAGES, the same list the
 * worker registers. The API only reads manifests and validates config; it never runs a handler.
 */
export function actionRegistryOf(ctx: ApiContext): ActionRegistry {
  let registry = registries.get(ctx);
  if (!registry) {
    registry = createActionRegistry(ctx.config);
    registries.set(ctx, registry);
  }
  return registry;
}

export function catalogRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/catalog/actions', requireRole('viewer'), (_req, res) => {
    res.json(actionRegistryOf(ctx).manifests());
  });
  return router;
}
