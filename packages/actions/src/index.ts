import {
  ActionRegistry,
  resolveLazy,
  type AnyActionDefinition,
  type Lazy,
} from '@cairn/action-sdk';
import { createEmailAction, type EmailActionOptions } from './email.js';
import { createWebhookAction, type WebhookActionOptions } from './webhook.js';
import {
  createInAppMessageAction,
  createStartJourneyAction,
  createStopJourneyAction,
  createUpdateContactAction,
} from './contact.js';

export { createEmailAction, emailConfigSchema, messageIdFor } from './email.js';
export type { EmailActionOptions, EmailConfig } from './email.js';
// Kept for callers that took it from here before it moved to the SDK.
export type { Lazy } from '@cairn/action-sdk';
export { createWebhookAction, signWebhookBody, webhookConfigSchema } from './webhook.js';
export type { WebhookActionOptions, WebhookConfig } from './webhook.js';
export {
  createInAppMessageAction,
  createStartJourneyAction,
  createStopJourneyAction,
  createUpdateContactAction,
  inAppMessageConfigSchema,
  updateContactConfigSchema,
} from './contact.js';
export { signTrackingToken, verifyTrackingToken } from './tracking.js';
export {
  createSmtpTransport,
  smtpFromCredential,
  sendOneMessage,
  SmtpSendError,
  SMTP_CREDENTIAL_FIELDS,
} from './smtp.js';
export type { SmtpSettings, SmtpAnswer, Sender } from './smtp.js';
export type { TrackingTokenPayload } from './tracking.js';
export { whyAddressIsBlocked } from './ssrf.js';
export { createSandboxedLiquid, renderField, MAX_RENDERED_CHARS } from './liquid.js';

export interface BuiltinActionOptions {
  email: EmailActionOptions;
  webhook?: WebhookActionOptions;
}

/** All built-in actions, configured; options may be a function so env is read at first use, not at import. */
export function createBuiltinActions(options: Lazy<BuiltinActionOptions>): AnyActionDefinition[] {
  return [
    createEmailAction(() => resolveLazy(options).email),
    createWebhookAction(() => resolveLazy(options).webhook ?? {}),
    createUpdateContactAction(),
    createInAppMessageAction(),
    createStartJourneyAction(),
    createStopJourneyAction(),
  ];
}

/** The settings the built-ins read, by @cairn/config's names: its parsed `CairnEnv` fits as it is. */
export interface BuiltinActionSettings {
  SMTP_HOST: string;
  SMTP_PORT: number;
  SMTP_SECURE: boolean;
  SMTP_USER?: string;
  SMTP_PASS?: string;
  CAIRN_EMAIL_FROM: string;
  CAIRN_PUBLIC_URL?: string;
  CAIRN_API_HOST: string;
  CAIRN_API_PORT: number;
  CAIRN_SECRET_KEY?: string;
  CAIRN_WEBHOOK_ALLOW_HOSTS: string[];
  CAIRN_ACTION_PACKAGES: string[];
}

/**
 * The built-ins configured from Cairn's settings plus every package in CAIRN_ACTION_PACKAGES: the registry
 * the worker runs, and the same list the API serves and validates journeys against.
 */
export function createActionRegistry(settings: BuiltinActionSettings): ActionRegistry {
  const registry = new ActionRegistry(
    createBuiltinActions({
      email: {
        smtp: {
          host: settings.SMTP_HOST,
          port: settings.SMTP_PORT,
          secure: settings.SMTP_SECURE,
          ...(settings.SMTP_USER
            ? { auth: { user: settings.SMTP_USER, pass: settings.SMTP_PASS ?? '' } }
            : {}),
        },
        from: settings.CAIRN_EMAIL_FROM,
        trackingBaseUrl:
          settings.CAIRN_PUBLIC_URL ??
          `http://${settings.CAIRN_API_HOST}:${settings.CAIRN_API_PORT}`,
        trackingSecret: settings.CAIRN_SECRET_KEY ?? '',
      },
      webhook: { allowHosts: settings.CAIRN_WEBHOOK_ALLOW_HOSTS },
    }),
  );
  registry.loadActionPackages(settings.CAIRN_ACTION_PACKAGES);
  return registry;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Same variable names as @cairn/config; the worker should prefer passing its parsed config to createBuiltinActions. */
export function builtinActionOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): BuiltinActionOptions {
  const user = env.SMTP_USER;
  return {
    email: {
      smtp: {
        host: env.SMTP_HOST || '127.0.0.1',
        port: Number(env.SMTP_PORT || 2525),
        secure: env.SMTP_SECURE === 'true' || env.SMTP_SECURE === '1',
        ...(user ? { auth: { user, pass: env.SMTP_PASS ?? '' } } : {}),
      },
      from: env.CAIRN_EMAIL_FROM || 'Cairn <hello@cairn.local>',
      trackingBaseUrl:
        env.CAIRN_PUBLIC_URL ||
        `http://${env.CAIRN_API_HOST || '127.0.0.1'}:${env.CAIRN_API_PORT || 3000}`,
      trackingSecret: env.CAIRN_SECRET_KEY ?? '',
    },
    webhook: { allowHosts: list(env.CAIRN_WEBHOOK_ALLOW_HOSTS) },
  };
}

/**
 * The built-ins configured from process.env when they first run, so listing manifests
 * (API, designer, CAIRN_ACTION_PACKAGES=@cairn/actions) needs no configuration.
 */
export const builtinActions: AnyActionDefinition[] = createBuiltinActions(() =>
  builtinActionOptionsFromEnv(process.env),
);
export default builtinActions;
