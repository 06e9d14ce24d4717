import { Router } from 'express';
import { ActionRegistry } from '@cairn/action-sdk';
import { createBuiltinActions } from '@cairn/actions';
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
    const config = ctx.config;
    registry = new ActionRegistry(
      createBuiltinActions(() => ({
        email: {
          smtp: { host: config.SMTP_HOST, port: config.SMTP_PORT, secure: config.SMTP_SECURE },
          from: config.CAIRN_EMAIL_FROM,
          trackingBaseUrl:
            config.CAIRN_PUBLIC_URL ?? `http://${config.CAIRN_API_HOST}:${config.CAIRN_API_PORT}`,
          trackingSecret: config.CAIRN_SECRET_KEY ?? '',
        },
        webhook: { allowHosts: config.CAIRN_WEBHOOK_ALLOW_HOSTS },
      })),
    );
    registry.loadActionPackages(config.CAIRN_ACTION_PACKAGES);
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
