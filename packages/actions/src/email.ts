import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import {
  PermanentActionError,
  RetryableActionError,
  defineAction,
  resolveLazy,
  type ActionContext,
  type Lazy,
} from '@cairn/action-sdk';
import { createSandboxedLiquid, renderField, templateScope } from './liquid.js';
import { escapeAttribute, htmlToText, insertBeforeBodyEnd, rewriteLinks } from './html.js';
import { signTrackingToken, type TrackingTokenPayload } from './tracking.js';
import { createSmtpTransport, smtpFromCredential, type SmtpSettings } from './smtp.js';

export interface EmailActionOptions {
  /** The worker's SMTP server; a workspace sender with a credential sends through that one instead. */
  smtp: SmtpSettings;
  /** Last-resort sender (CAIRN_EMAIL_FROM), e.g. `Acme <hello@acme.test>`: used when neither the step nor the workspace names one. */
  from: string;
  /** Public URL of the API that serves /t/o, /t/c and /t/u, e.g. `https://cairn.acme.test`. */
  trackingBaseUrl: string;
  /** Signs tracking tokens; the API verifies with the same secret. */
  trackingSecret: string;
}

const BOTH =
  'a step sends either a saved template or a subject and HTML written here, not both: remove one';
const sender = {
  from: z.string().min(3).optional().meta({
    title: 'Sender',
    description: 'e.g. "Acme <hello@acme.test>"; defaults to the workspace sender',
  }),
  replyTo: z
    .string()
    .min(3)
    .optional()
    .meta({ title: 'Reply-to address', description: 'Where replies go, if not to the sender' }),
};

/** Content written in the step itself: today's (and every older journey's) shape. */
const inlineEmailConfig = z.object({
  subject: z
    .string({ error: 'is required: write the subject line (Liquid allowed), or pick a template' })
    .min(1, 'must not be empty; write the subject line (Liquid allowed)')
    .meta({ title: 'Subject' }),
  html: z
    .string({ error: 'is required: write the HTML body (Liquid allowed), or pick a template' })
    .min(1, 'must not be empty; write the HTML body (Liquid allowed, output is HTML-escaped)')
    .meta({ title: 'HTML body' }),
  text: z
    .string()
    .optional()
    .meta({ title: 'Plain-text part', description: 'Made from the HTML when left empty' }),
  ...sender,
  templateId: z.string().optional().meta({
    title: 'Report as template',
    description: 'A template id recorded on Email Sent for reporting; the content above is sent',
  }),
  template: z.never({ error: BOTH }).optional(),
});

/** A saved template pinned to one version, so later edits of the template never change a live journey. */
const templateEmailConfig = z.object({
  template: z
    .object({
      id: z.string().min(1, 'must name a saved template, e.g. "tpl_1a2b3c4d5e6f7a8b"'),
      version: z
        .number({ error: 'must be the version number to send, e.g. 1' })
        .int()
        .min(1, 'must be ≥ 1: versions start at 1'),
    })
    .describe('A saved email template and the version this step sends'),
  ...sender,
  subject: z.never({ error: BOTH }).optional(),
  html: z.never({ error: BOTH }).optional(),
  text: z.never({ error: BOTH }).optional(),
});

/** Inline subject and HTML, or a pinned template version; never both (see validateActionConfig's union rule). */
export const emailConfigSchema = z.union([inlineEmailConfig, templateEmailConfig]);
export type EmailConfig = z.infer<typeof emailConfigSchema>;

/** `<key@cairn>`, with characters a Message-ID cannot hold encoded reversibly (`:` → `=3A`). */
export function messageIdFor(idempotencyKey: string): string {
  const local = idempotencyKey.replace(/[^A-Za-z0-9!#$%&'*+/?^_`{|}~.-]/g, (c) =>
    [...Buffer.from(c)].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return `<${local}@cairn>`;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

interface EmailContent {
  subject: string;
  html: string;
  text?: string;
  /** Where the content came from, recorded on Email Sent. */
  source: { templateId?: string; templateVersion?: number };
}

/** The step's own content, or the pinned template version read through the host (frozen, so it never changes). */
async function emailContent(ctx: ActionContext, config: EmailConfig): Promise<EmailContent> {
  if (config.template === undefined)
    return {
      subject: config.subject,
      html: config.html,
      ...(config.text !== undefined ? { text: config.text } : {}),
      source: config.templateId ? { templateId: config.templateId } : {},
    };
  const { id, version } = config.template;
  if (!ctx.services.messageTemplate)
    throw new PermanentActionError(
      'template: this host cannot read saved templates; write the subject and HTML in the step',
    );
  const saved = await ctx.services.messageTemplate(id, version);
  if (!saved)
    throw new PermanentActionError(
      `template: no version ${version} of template "${id}" in this workspace; pick an existing version and publish again`,
    );
  if (saved.channel !== 'email' || !saved.subject || !saved.html)
    throw new PermanentActionError(
      `template: "${saved.name}" is not an email template (it has no subject and HTML); pick an email template`,
    );
  return {
    subject: saved.subject,
    html: saved.html,
    ...(saved.text !== undefined ? { text: saved.text } : {}),
    source: { templateId: id, templateVersion: version },
  };
}

export function createEmailAction(options: Lazy<EmailActionOptions>) {
  const htmlEngine = createSandboxedLiquid({ escape: 'html' });
  const textEngine = createSandboxedLiquid({ escape: 'none' });
  // One transport per SMTP server (the worker's, or a workspace credential's), reused across sends.
  const transports = new Map<string, Transporter>();
  const transporterFor = (smtp: SmtpSettings): Transporter => {
    const key = JSON.stringify(smtp);
    let transporter = transports.get(key);
    if (!transporter) {
      if (transports.size >= 100) {
        for (const old of transports.values()) old.close();
        transports.clear();
      }
      transporter = createSmtpTransport(smtp);
      transports.set(key, transporter);
    }
    return transporter;
  };

  return defineAction({
    type: 'email',
    version: 1,
    title: 'Send email',
    description:
      'Sends a personalised email with open and click tracking and a one-click unsubscribe link.',
    category: 'message',
    icon: 'mail',
    configSchema: emailConfigSchema,
    outputs: [
      { name: 'sent', label: 'Sent' },
      { name: 'skipped', label: 'Skipped (unsubscribed or no address)' },
    ],
    uiHints: {
      order: ['template', 'subject', 'html', 'text', 'from', 'replyTo', 'templateId'],
      widgets: { html: 'html-editor', text: 'textarea', template: 'message-template' },
    },
    async run(ctx, config) {
      const opts = resolveLazy(options);
      const to = ctx.contact.traits.email;
      if (typeof to !== 'string' || !to.includes('@')) {
        return {
          output: 'skipped',
          result: { reason: 'no email address (contact trait "email" is missing or invalid)' },
        };
      }
      if (!(await ctx.services.isSubscribed(ctx.contact.id, 'email'))) {
        return { output: 'skipped', result: { reason: 'unsubscribed from email' } };
      }
      if (!opts.trackingSecret)
        throw new PermanentActionError('email: trackingSecret is empty; set CAIRN_SECRET_KEY');

      const base = trimSlash(opts.trackingBaseUrl);
      const messageId = ctx.idempotencyKey;
      const token = (url?: string) => {
        const payload: TrackingTokenPayload = {
          ...(ctx.workspaceId ? { workspace: ctx.workspaceId } : {}),
          contactId: ctx.contact.id,
          journeyId: ctx.journey.id,
          nodeId: ctx.journey.nodeId,
          messageId,
          ...(url ? { url } : {}),
        };
        return signTrackingToken(payload, opts.trackingSecret);
      };
      const unsubscribeUrl = `${base}/t/u/${token()}`;
      const scope = templateScope(ctx, { unsubscribeUrl });

      const content = await emailContent(ctx, config);
      const subject = (await renderField(textEngine, 'subject', content.subject, scope))
        .replace(/\s+/g, ' ')
        .trim();
      let html = await renderField(htmlEngine, 'html', content.html, scope);
      const text =
        content.text !== undefined && content.text.trim() !== ''
          ? await renderField(textEngine, 'text', content.text, scope)
          : htmlToText(html);

      // Links inside our own tracking space (unsubscribe, a hand-written pixel) are left alone.
      html = rewriteLinks(html, (url) =>
        url.startsWith(`${base}/t/`) ? undefined : `${base}/t/c/${token(url)}`,
      );
      if (!html.includes(escapeAttribute(unsubscribeUrl))) {
        html = insertBeforeBodyEnd(
          html,
          `<p style="font-size:12px;color:#888">Don't want these emails? <a href="${escapeAttribute(unsubscribeUrl)}">Unsubscribe</a></p>`,
        );
      }
      html = insertBeforeBodyEnd(
        html,
        `<img src="${escapeAttribute(`${base}/t/o/${token()}.gif`)}" width="1" height="1" alt="" style="display:none">`,
      );
      const textWithFooter = text.includes(unsubscribeUrl)
        ? text
        : `${text}\n\n--\nUnsubscribe: ${unsubscribeUrl}`;

      // The step's sender, else the workspace's (Settings → Workspace), else CAIRN_EMAIL_FROM.
      const sender = ctx.workspace?.sender;
      const from =
        config.from ?? (sender ? { name: sender.name ?? '', address: sender.address } : opts.from);
      let smtp = opts.smtp;
      if (sender?.credential) {
        const parsed = smtpFromCredential(await ctx.credentials.get(sender.credential));
        if ('problems' in parsed)
          throw new PermanentActionError(
            `email: the workspace sender's credential "${sender.credential}" is not usable: ${parsed.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
          );
        smtp = parsed.smtp;
      }

      ctx.heartbeat({ step: 'sending', to });
      let info: { messageId?: string; accepted?: unknown[] };
      try {
        info = await transporterFor(smtp).sendMail({
          from,
          to,
          ...(config.replyTo ? { replyTo: config.replyTo } : {}),
          subject,
          html,
          text: textWithFooter,
          messageId: messageIdFor(messageId),
          headers: {
            'List-Unsubscribe': `<${unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'X-Cairn-Message-Id': messageId,
          },
        });
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        const message = `email: SMTP ${smtp.host}:${smtp.port} refused the message: ${(error as Error).message}`;
        // 5xx means the server rejected this message for good; anything else (4xx, timeouts, refused connections) may pass later.
        if (typeof code === 'number' && code >= 500)
          throw new PermanentActionError(message, { cause: error });
        throw new RetryableActionError(message, { cause: error });
      }
      const sent = {
        output: 'sent' as const,
        result: { messageId, to, smtpMessageId: info.messageId ?? null },
      };
      // The event's messageId is the step's idempotency key: however often it is written, it is stored once.
      const sentEvent = {
        event: 'Email Sent',
        messageId,
        properties: {
          journeyId: ctx.journey.id,
          journeyVersion: ctx.journey.version,
          nodeId: ctx.journey.nodeId,
          subject,
          to,
          ...content.source,
        },
      };
      // Accepted: store "sent" at once, before slower bookkeeping, so a crash from here is answered from the
      // record (which also carries the event, for a retry to write). Never before the server's answer: a lost
      // email is worse than a second copy with the same Message-ID (docs/faults.md).
      await ctx.services.recordOutcome?.({ ...sent, events: [sentEvent] });

      await ctx.services.recordEvent(ctx.contact.id, sentEvent);
      ctx.log.info('email sent', { to, messageId });
      return sent;
    },
  });
}
