import { ActionRegistry } from '@cairn/action-sdk';
import { createBuiltinActions } from '@cairn/actions';
import type { CairnEnv } from '@cairn/config';

/** Built-in actions configured from the worker's config, plus every package in CAIRN_ACTION_PACKAGES. */
export function createActionRegistry(config: CairnEnv): ActionRegistry {
  const registry = new ActionRegistry(
    createBuiltinActions({
      email: {
        smtp: {
          host: config.SMTP_HOST,
          port: config.SMTP_PORT,
          secure: config.SMTP_SECURE,
          ...(config.SMTP_USER
            ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASS ?? '' } }
            : {}),
        },
        from: config.CAIRN_EMAIL_FROM,
        trackingBaseUrl:
          config.CAIRN_PUBLIC_URL ?? `http://${config.CAIRN_API_HOST}:${config.CAIRN_API_PORT}`,
        trackingSecret: config.CAIRN_SECRET_KEY ?? '',
      },
      webhook: { allowHosts: config.CAIRN_WEBHOOK_ALLOW_HOSTS },
    }),
  );
  registry.loadActionPackages(config.CAIRN_ACTION_PACKAGES);
  return registry;
}
