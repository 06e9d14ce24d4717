import { Router, type Request, type Response } from 'express';
import { sendOneMessage, SmtpSendError, smtpFromCredential } from '@cairn/actions';
import { CredentialError, describeCredential, readCredential, workspaceSender } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { CredentialTestSendBody } from '@cairn/contract';

/**
 * POST /credentials/:name/test-send: one plain message through a stored SMTP credential, as the
 * workspace sender, answering what the server said; a refusal is a 502 naming the server's reply.
 */
export function testSendRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.post(
    '/credentials/:name/test-send',
    requireRole('admin', { audits: 'credential' }),
    async (req: Request<{ name: string }>, res: Response) => {
      const body = parseOr400(CredentialTestSendBody, req.body ?? {});
      const workspaceId = workspaceIdOf(res);
      const name = req.params.name;
      const summary = await describeCredential(ctx.db.connection, workspaceId, name);
      if (!summary) throw HttpProblem.notFound(`No credential "${name}" in this workspace.`);
      if (summary.type !== 'smtp')
        throw HttpProblem.badRequest(
          `Credential "${name}" is of type "${summary.type}"; a test send needs an "smtp" credential (host, port, user, pass).`,
          [{ path: 'type', message: 'must be smtp' }],
        );
      const secretKey = ctx.config.CAIRN_SECRET_KEY;
      if (!secretKey)
        throw HttpProblem.unavailable(
          'Credentials cannot be opened: CAIRN_SECRET_KEY is not set on the API.',
          60,
        );
      let values: Record<string, string>;
      try {
        values = await readCredential(ctx.db.connection, secretKey, workspaceId, name);
      } catch (error) {
        if (error instanceof CredentialError) throw HttpProblem.unprocessable(error.message);
        throw error;
      }
      const parsed = smtpFromCredential(values);
      if ('problems' in parsed)
        throw HttpProblem.unprocessable(
          `Credential "${name}" cannot be used for SMTP: ${parsed.problems.map((p) => `${p.path} ${p.message}`).join('; ')}. Replace it with PUT /api/v1/credentials/${name}.`,
          parsed.problems,
        );
      const sender = await workspaceSender(ctx.db.connection, workspaceId);
      const from = sender
        ? { name: sender.name ?? '', address: sender.address }
        : ctx.config.CAIRN_EMAIL_FROM;
      const server = `${parsed.smtp.host}:${parsed.smtp.port}`;
      let answer;
      try {
        answer = await sendOneMessage(parsed.smtp, {
          from,
          to: body.to,
          subject: 'Cairn test message',
          text: `This is a test message from Cairn, sent through the credential "${name}" (${server}).`,
        });
      } catch (error) {
        if (!(error instanceof SmtpSendError)) throw error;
        throw new HttpProblem(
          502,
          'Bad Gateway',
          `The SMTP server ${server} did not take the test message: ${error.message}`,
          [
            {
              path: error.responseCode ? 'smtp.response' : 'smtp.connection',
              message: `${error.code ?? 'error'}${error.responseCode ? ` ${error.responseCode}` : ''}: ${error.message}`,
            },
          ],
        );
      }
      await audit(ctx, res, {
        action: 'credential.tested',
        resource: { type: 'credential', id: name, name },
        changes: [{ path: 'testSend.to', before: null, after: body.to }],
      });
      res.json({
        server,
        from: typeof from === 'string' ? from : `${from.name} <${from.address}>`.trim(),
        to: body.to,
        accepted: answer.accepted,
        rejected: answer.rejected,
        response: answer.response,
        messageId: answer.messageId,
      });
    },
  );

  return router;
}
