import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { z } from 'zod';
import {
  PermanentActionError,
  RetryableActionError,
  defineAction,
  resolveLazy,
  type JsonValue,
  type Lazy,
} from '@cairn/action-sdk';
import { createSandboxedLiquid, renderField, templateScope } from './liquid.js';
import { normalizeHost, whyAddressIsBlocked } from './ssrf.js';

export interface WebhookActionOptions {
  /** Hosts (names or IPs) that may resolve to private addresses, e.g. an internal CRM. Everything else must be public. */
  allowHosts?: string[];
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export const webhookConfigSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  url: z
    .string()
    .regex(
      /^https?:\/\/[^\s/]+/,
      'must be an http:// or https:// URL, e.g. https://hooks.acme.test/cairn (Liquid allowed in path and query)',
    ),
  headers: z
    .record(z.string().regex(HEADER_NAME, 'must be a valid HTTP header name'), z.string())
    .default({}),
  body: z
    .string()
    .optional()
    .describe('Liquid template; defaults to a JSON document with the contact and journey'),
  signingSecretCredential: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Credential whose "secret" signs the body: X-Cairn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">',
    ),
  timeoutMs: z
    .number()
    .int()
    .min(100, 'must be ≥ 100 ms')
    .max(60_000, 'must be ≤ 60000 ms')
    .default(10_000),
});
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

/** Header value the receiver checks: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signWebhookBody(body: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac('sha256', secret)
    .update(`${timestampSeconds}.${body}`)
    .digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}

class BlockedAddressError extends Error {
  readonly code = 'CAIRN_BLOCKED_ADDRESS';
}

interface Attempt {
  status?: number;
  body?: string;
  error?: string;
  /** 4xx and refused addresses: retrying will not change the answer; anything else is worth another try. */
  final: boolean;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

function sendOnce(
  url: URL,
  init: {
    method: string;
    headers: Record<string, string>;
    body: string | undefined;
    timeoutMs: number;
    guard: boolean;
  },
): Promise<Attempt> {
  // Checking inside lookup pins the connection to the address we vetted (no DNS-rebinding window).
  const lookup = (
    hostname: string,
    options: { all?: boolean },
    callback: (...args: unknown[]) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      for (const a of addresses) {
        const why = whyAddressIsBlocked(a.address);
        if (why)
          return callback(
            new BlockedAddressError(
              `refused ${hostname}: it resolves to ${a.address}, ${why}; add it to CAIRN_WEBHOOK_ALLOW_HOSTS if this is intended`,
            ),
          );
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      return first
        ? callback(null, first.address, first.family)
        : callback(new Error(`${hostname} has no address`));
    });
  };
  return new Promise((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: init.method,
        headers: init.headers,
        signal: AbortSignal.timeout(init.timeoutMs),
        ...(init.guard ? { lookup: lookup as never } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_BYTES);
          resolve({ status, body, final: status < 500 && status !== 429 && status !== 408 });
        });
        res.on('error', (error) =>
          resolve({ status: res.statusCode ?? 0, error: error.message, final: false }),
        );
      },
    );
    req.on('error', (error) => {
      const blocked =
        error instanceof BlockedAddressError ||
        (error as { code?: string }).code === 'CAIRN_BLOCKED_ADDRESS';
      const message =
        error.name === 'AbortError' || error.name === 'TimeoutError'
          ? `timed out after ${init.timeoutMs} ms`
          : error.message;
      resolve({ error: message, final: blocked });
    });
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** The receiver's answer for the journey's run history: parsed JSON, or the first 2000 characters. */
function parseBody(body: string | undefined): JsonValue {
  if (body === undefined || body === '') return null;
  try {
    return JSON.parse(body) as JsonValue;
  } catch {
    return body.slice(0, 2000);
  }
}

export function createWebhookAction(options: Lazy<WebhookActionOptions> = {}) {
  const urlEngine = createSandboxedLiquid({ escape: 'uri' });
  const textEngine = createSandboxedLiquid({ escape: 'none' });

  return defineAction({
    type: 'webhook',
    version: 1,
    title: 'Call webhook',
    description:
      'Sends an HTTP request (signed if you pick a secret): "ok" on 2xx/3xx, "failed" on another 4xx or a refused address; 5xx, 408, 429 and network errors are tried again later.',
    category: 'integration',
    icon: 'webhook',
    configSchema: webhookConfigSchema,
    outputs: [
      { name: 'ok', label: 'Succeeded' },
      { name: 'failed', label: 'Failed' },
    ],
    credentials: [
      {
        name: 'webhook-signing-secret',
        description:
          'A credential with a "secret" field, chosen per node in signingSecretCredential',
      },
    ],
    uiHints: {
      order: ['method', 'url', 'headers', 'body', 'signingSecretCredential', 'timeoutMs'],
      widgets: { body: 'code' },
    },
    async run(ctx, config) {
      const opts = resolveLazy(options);
      const scope = templateScope(ctx);
      const renderedUrl = await renderField(urlEngine, 'url', config.url, scope);
      let url: URL;
      try {
        url = new URL(renderedUrl);
      } catch {
        throw new PermanentActionError(`url: "${renderedUrl}" is not a valid URL after rendering`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new PermanentActionError('url: must use http or https');

      const host = normalizeHost(url.hostname);
      const allowed = (opts.allowHosts ?? []).map(normalizeHost).includes(host);
      if (!allowed && isIP(host)) {
        const why = whyAddressIsBlocked(host);
        if (why) {
          const error = `refused ${host}: ${why}; add it to CAIRN_WEBHOOK_ALLOW_HOSTS if this is intended`;
          ctx.log.warn('webhook blocked', { url: url.toString(), reason: why });
          return { output: 'failed', result: { error } };
        }
      }

      const hasBody = config.method !== 'GET' && config.method !== 'DELETE';
      const body = !hasBody
        ? undefined
        : config.body !== undefined
          ? await renderField(textEngine, 'body', config.body, scope)
          : JSON.stringify({
              contact: { id: ctx.contact.id, traits: ctx.contact.traits },
              journey: ctx.journey,
              idempotencyKey: ctx.idempotencyKey,
            });

      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(config.headers)) {
        headers[name] = (await renderField(textEngine, `headers.${name}`, value, scope)).replace(
          /[\r\n]+/g,
          ' ',
        );
      }
      const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
      if (body !== undefined && !has('content-type')) headers['Content-Type'] = 'application/json';
      if (!has('user-agent')) headers['User-Agent'] = 'Cairn-Webhook/1';
      headers['X-Cairn-Idempotency-Key'] = ctx.idempotencyKey;
      if (config.signingSecretCredential) {
        const secret = (await ctx.credentials.get(config.signingSecretCredential)).secret;
        if (!secret)
          throw new PermanentActionError(
            `signingSecretCredential: credential "${config.signingSecretCredential}" has no "secret" field`,
          );
        headers['X-Cairn-Signature'] = signWebhookBody(
          body ?? '',
          secret,
          Math.floor(ctx.now().getTime() / 1000),
        );
      }
      if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));

      // One request per attempt: Temporal's activity retry policy (packages/workflows) spaces the attempts.
      ctx.heartbeat({ url: url.toString() });
      const answer = await sendOnce(url, {
        method: config.method,
        headers,
        body,
        timeoutMs: config.timeoutMs,
        guard: !allowed,
      });
      if (answer.status !== undefined && answer.status >= 200 && answer.status < 400)
        return {
          output: 'ok',
          result: { status: answer.status, response: parseBody(answer.body) },
        };
      const error = answer.error ?? `HTTP ${answer.status}`;
      if (!answer.final)
        throw new RetryableActionError(`webhook: ${url.origin}${url.pathname}: ${error}`);
      ctx.log.warn('webhook failed', { url: url.toString(), error });
      return {
        output: 'failed',
        result: {
          error,
          ...(answer.status !== undefined
            ? { status: answer.status, response: parseBody(answer.body) }
            : {}),
        },
      };
    },
  });
}
