// Long on purpose: every template route shares the Liquid and profile-path checks at the top.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { createSandboxedLiquid, createSmtpTransport } from '@cairn/actions';
import { unknownProfileReads } from '@cairn/core';
import {
  contactForTemplate,
  createTemplate,
  deleteTemplate,
  getTemplate,
  getTemplateVersion,
  listTemplates,
  listTemplateVersions,
  updateTemplate,
  type TemplateContent,
  workspaceSender,
} from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400, type FieldError } from '../http/problem.js';
import {
  TemplateBody,
  TemplateListQuery,
  TemplatePreviewBody,
  TemplateTestSendBody,
  TemplateUpdateBody,
} from '@cairn/contract';

type PreviewFields = z.output<typeof TemplatePreviewBody>;

// Same engines as the email action: HTML output escapes every {{ }}, subject and text are plain.
const htmlEngine = createSandboxedLiquid({ escape: 'html' });
const textEngine = createSandboxedLiquid({ escape: 'none' });

type Field = 'subject' | 'html' | 'text' | 'title' | 'body';
const ENGINE_OF: Record<Field, typeof htmlEngine> = {
  subject: textEngine,
  html: htmlEngine,
  text: textEngine,
  title: textEngine,
  body: textEngine,
};

interface LiquidFieldError extends FieldError {
  line?: number;
  column?: number;
}

function liquidError(field: Field, error: unknown): LiquidFieldError {
  const err = error as { message?: string; token?: { getPosition?: () => [number, number] } };
  const position = err.token?.getPosition?.();
  // liquidjs appends ", line:L, col:C" to its messages; the position is given separately instead.
  const message = (err.message ?? String(error)).replace(/,\s*line:\d+,\s*col:\d+\s*$/, '');
  if (!position) return { path: field, message };
  return {
    path: field,
    message: `line ${position[0]}, column ${position[1]}: ${message}`,
    line: position[0],
    column: position[1],
  };
}

function fieldsOf(content: TemplateContent): Field[] {
  return (['subject', 'html', 'text', 'title', 'body'] as const).filter(
    (f) => typeof content[f] === 'string',
  );
}

/** Parses every field so a broken template is refused when it is saved, not when a journey sends it. */
function assertParses(content: TemplateContent): void {
  const errors: LiquidFieldError[] = [];
  for (const field of fieldsOf(content)) {
    try {
      ENGINE_OF[field].parse(content[field] as string);
    } catch (error) {
      errors.push(liquidError(field, error));
    }
  }
  if (errors.length)
    throw HttpProblem.unprocessable(
      `The template has Liquid errors: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      errors,
    );
  // A misspelt profile field renders as nothing at send time, so it is refused here, with the real one.
  const unknown = fieldsOf(content).flatMap((field) =>
    unknownProfileReads(content[field] as string).map((r) => ({
      path: field,
      message: `reads "contact.profile.${r.reference}": ${r.message}`,
    })),
  );
  if (unknown.length)
    throw HttpProblem.unprocessable(
      `The template reads the profile where there is nothing: ${unknown.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      unknown,
    );
}

async function render(
  content: TemplateContent,
  scope: Record<string, unknown>,
): Promise<Partial<Record<Field, string>>> {
  const out: Partial<Record<Field, string>> = {};
  const errors: LiquidFieldError[] = [];
  for (const field of fieldsOf(content)) {
    try {
      const value = String(await ENGINE_OF[field].parseAndRender(content[field] as string, scope));
      // As the email action does: a subject is one line.
      out[field] = field === 'subject' ? value.replace(/\s+/g, ' ').trim() : value;
    } catch (error) {
      errors.push(liquidError(field, error));
    }
  }
  if (errors.length)
    throw HttpProblem.unprocessable(
      `The template could not be rendered: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      errors,
    );
  return out;
}

function contentFrom(body: z.output<typeof TemplateBody>): TemplateContent {
  if (body.channel === 'email')
    return {
      name: body.name,
      channel: 'email',
      subject: body.subject,
      html: body.html,
      ...(body.text ? { text: body.text } : {}),
    };
  return { name: body.name, channel: 'inApp', title: body.title, body: body.body };
}

/** The fields of a template the audit log compares (its content; the version number is implied). */
function audited(t: TemplateContent) {
  return {
    name: t.name,
    channel: t.channel,
    subject: t.subject ?? null,
    html: t.html ?? null,
    text: t.text ?? null,
    title: t.title ?? null,
    body: t.body ?? null,
  };
}

const notFound = (id: string) => HttpProblem.notFound(`No template "${id}" in this workspace.`);

/** Message templates: every save is a new immutable version; preview renders with the send-time engine. */
export function templateRoutes(ctx: ApiContext): Router {
  const router = Router();
  const connection = () => ctx.db.connection;

  /** The content (given, or a saved version) rendered for a stored or made-up contact, as a send would. */
  async function renderFor(workspaceId: string, body: PreviewFields) {
    let content: TemplateContent;
    let source: { templateId: string; version: number } | undefined;
    if (body.template) {
      content = contentFrom(body.template);
    } else {
      const id = body.templateId as string;
      const saved =
        body.version !== undefined
          ? await getTemplateVersion(connection(), workspaceId, id, body.version)
          : await getTemplate(connection(), workspaceId, id);
      if (!saved)
        throw HttpProblem.notFound(
          `templateId: no template "${id}"${body.version !== undefined ? ` with version ${body.version}` : ''} in this workspace.`,
        );
      content = saved;
      source = { templateId: id, version: saved.version };
    }
    let contact: {
      id: string;
      traits: Record<string, unknown>;
      profile: Record<string, unknown>;
    };
    if (body.contactId !== undefined) {
      const found = await contactForTemplate(connection(), workspaceId, body.contactId);
      if (!found)
        throw HttpProblem.notFound(
          `contactId: no contact "${body.contactId}" in this workspace; use sampleContact to preview with made-up traits.`,
        );
      contact = found;
    } else {
      contact = body.sampleContact ?? { id: 'sample-contact', traits: {}, profile: {} };
    }
    const base = (
      ctx.config.CAIRN_PUBLIC_URL ??
      `http://${ctx.config.CAIRN_API_HOST}:${ctx.config.CAIRN_API_PORT}`
    ).replace(/\/+$/, '');
    const scope = {
      contact,
      journey: { id: 'preview', version: 0, runId: 'preview', nodeId: 'preview' },
      unsubscribeUrl: `${base}/t/u/preview`,
    };
    const rendered = await render(content, scope);
    return { content, source, contact, rendered };
  }

  router.post(
    '/templates/preview',
    requireRole('viewer', 'readOnly'),
    async (req: Request, res: Response) => {
      const { content, source, contact, rendered } = await renderFor(
        workspaceIdOf(res),
        parseOr400(TemplatePreviewBody, req.body),
      );
      res.json({ channel: content.channel, ...(source ?? {}), contactId: contact.id, rendered });
    },
  );

  // A test send changes nothing stored, but it mails someone: editors only, and the audit log says who.
  router.post(
    '/templates/test-send',
    requireRole('editor', { audits: 'template' }),
    async (req: Request, res: Response) => {
      const body = parseOr400(TemplateTestSendBody, req.body);
      const { content, source, contact, rendered } = await renderFor(workspaceIdOf(res), body);
      if (content.channel !== 'email')
        throw HttpProblem.unprocessable(
          'channel: only email templates can be sent as a test; preview an in-app template instead.',
          [{ path: 'channel', message: 'must be email for a test send' }],
        );
      const { SMTP_HOST, SMTP_PORT, SMTP_SECURE, SMTP_USER, SMTP_PASS } = ctx.config;
      const transport = createSmtpTransport({
        host: SMTP_HOST,
        port: SMTP_PORT,
        secure: SMTP_SECURE,
        ...(SMTP_USER ? { auth: { user: SMTP_USER, pass: SMTP_PASS ?? '' } } : {}),
      });
      try {
        // No tracking links and no Email Sent event: a test is not a message to the contact.
        // As a journey's email step would send it: the workspace sender, else CAIRN_EMAIL_FROM.
        const sender = await workspaceSender(ctx.db.connection, workspaceIdOf(res));
        await transport.sendMail({
          from: sender
            ? { name: sender.name ?? '', address: sender.address }
            : ctx.config.CAIRN_EMAIL_FROM,
          to: body.to,
          subject: `[Test] ${rendered.subject ?? ''}`,
          html: rendered.html ?? '',
          ...(rendered.text ? { text: rendered.text } : {}),
          headers: {
            'X-Cairn-Test-Send': source ? `${source.templateId}@${source.version}` : 'draft',
          },
        });
      } catch (error) {
        throw new HttpProblem(
          502,
          'Bad Gateway',
          `The SMTP server ${SMTP_HOST}:${SMTP_PORT} refused the test email: ${(error as Error).message}. Check SMTP_HOST, SMTP_PORT and the credentials.`,
        );
      } finally {
        transport.close();
      }
      await audit(ctx, res, {
        action: 'template.testSent',
        resource: {
          type: 'template',
          id: source?.templateId ?? 'draft',
          name: content.name,
        },
        before: {},
        after: { to: body.to, version: source?.version ?? null, contactId: contact.id },
      });
      res.json({ sent: true, to: body.to, ...(source ?? {}), contactId: contact.id, rendered });
    },
  );

  router.get('/templates', requireRole('viewer'), async (req: Request, res: Response) => {
    const query = parseOr400(TemplateListQuery, req.query, 'query string');
    const templates = await listTemplates(
      connection(),
      workspaceIdOf(res),
      query.channel ? { channel: query.channel } : {},
    );
    res.json({ templates });
  });

  router.post(
    '/templates',
    requireRole('editor', { audits: 'template' }),
    async (req: Request, res: Response) => {
      const content = contentFrom(parseOr400(TemplateBody, req.body));
      assertParses(content);
      const template = await createTemplate(connection(), workspaceIdOf(res), content);
      await audit(ctx, res, {
        action: 'template.created',
        resource: { type: 'template', id: template.id, name: template.name },
        before: {},
        after: audited(template),
      });
      res.status(201).location(`/api/v1/templates/${template.id}`).json(template);
    },
  );

  router.get(
    '/templates/:id',
    requireRole('viewer'),
    async (req: Request<{ id: string }>, res: Response) => {
      const template = await getTemplate(connection(), workspaceIdOf(res), req.params.id);
      if (!template) throw notFound(req.params.id);
      res.json(template);
    },
  );

  router.put(
    '/templates/:id',
    requireRole('editor', { audits: 'template' }),
    async (req: Request<{ id: string }>, res: Response) => {
      const body = parseOr400(TemplateUpdateBody, req.body);
      const content = contentFrom(body);
      assertParses(content);
      const before = await getTemplate(connection(), workspaceIdOf(res), req.params.id);
      const result = await updateTemplate(
        connection(),
        workspaceIdOf(res),
        req.params.id,
        content,
        body.baseVersion !== undefined ? { baseVersion: body.baseVersion } : {},
      );
      if (result.ok) {
        const resource = { type: 'template', id: result.template.id, name: result.template.name };
        await audit(ctx, res, {
          action: 'template.updated',
          resource,
          before: before ? audited(before) : {},
          after: audited(result.template),
        });
        res.json(result.template);
        return;
      }
      if (result.reason === 'notFound') throw notFound(req.params.id);
      throw HttpProblem.conflict(
        `baseVersion: the template is at version ${result.currentVersion} now; reload it, reapply your change and save with baseVersion ${result.currentVersion}.`,
      );
    },
  );

  // Deleting a template can stop live journeys from sending: a go-live change, so publisher or admin.
  router.delete(
    '/templates/:id',
    requireRole('publisher', { audits: 'template' }),
    async (req: Request<{ id: string }>, res: Response) => {
      const before = await getTemplate(connection(), workspaceIdOf(res), req.params.id);
      if (!(await deleteTemplate(connection(), workspaceIdOf(res), req.params.id)))
        throw notFound(req.params.id);
      await audit(ctx, res, {
        action: 'template.deleted',
        resource: { type: 'template', id: req.params.id, ...(before ? { name: before.name } : {}) },
        changes: [],
      });
      res.status(204).end();
    },
  );

  router.get(
    '/templates/:id/versions',
    requireRole('viewer'),
    async (req: Request<{ id: string }>, res: Response) => {
      const versions = await listTemplateVersions(connection(), workspaceIdOf(res), req.params.id);
      if (!versions) throw notFound(req.params.id);
      res.json({ id: req.params.id, versions });
    },
  );

  router.get(
    '/templates/:id/versions/:version',
    requireRole('viewer'),
    async (req: Request<{ id: string; version: string }>, res: Response) => {
      const version = Number(req.params.version);
      if (!Number.isInteger(version) || version < 1) {
        throw HttpProblem.badRequest(
          `version: must be a whole number ≥ 1, got "${req.params.version}".`,
          [{ path: 'version', message: 'must be a whole number ≥ 1' }],
        );
      }
      const found = await getTemplateVersion(
        connection(),
        workspaceIdOf(res),
        req.params.id,
        version,
      );
      if (!found)
        throw HttpProblem.notFound(
          `No version ${version} of template "${req.params.id}" in this workspace.`,
        );
      res.json(found);
    },
  );

  return router;
}
