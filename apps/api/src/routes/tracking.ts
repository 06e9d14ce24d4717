import { Router, type Request, type Response } from 'express';
import { verifyTrackingToken, type TrackingTokenPayload } from '@cairn/actions';
import { getSubscriptions, recordEmailEngagement, type EmailEngagementKind } from '@cairn/db';
import type { ApiContext } from '../context.js';

/** The smallest transparent GIF (43 bytes). */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Schemes a click may lead to; anything else (javascript:, data:) is refused even when signed. */
const SAFE_LINK = /^(https?:\/\/|mailto:|tel:)/i;

function page(title: string, message: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><meta name="robots" content="noindex">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>${escape(title)}</h1><p>${escape(message)}</p></body></html>`;
}

/**
 * Public links inside emails: open pixel, click redirect, unsubscribe. No key: the HMAC-signed token
 * is the proof, so a forged or altered token records nothing and redirects nowhere.
 */
export function trackingRoutes(ctx: ApiContext): Router {
  const router = Router();
  const verify = (token: string | undefined): TrackingTokenPayload | undefined =>
    token ? verifyTrackingToken(token, ctx.config.CAIRN_SECRET_KEY ?? '') : undefined;

  /** Records the engagement; failures are logged, never shown to the reader (the pixel and redirect must still work). */
  async function record(
    req: Request,
    kind: EmailEngagementKind,
    payload: TrackingTokenPayload,
  ): Promise<boolean> {
    if (!payload.workspace) return false; // tokens signed without a workspace cannot be attributed
    try {
      const userAgent = req.headers['user-agent'];
      await recordEmailEngagement(ctx.db.connection, {
        kind,
        workspaceId: payload.workspace,
        contactId: payload.contactId,
        journeyId: payload.journeyId,
        nodeId: payload.nodeId,
        emailMessageId: payload.messageId,
        ...(payload.url !== undefined && kind === 'clicked' ? { url: payload.url } : {}),
        ...(typeof userAgent === 'string' ? { userAgent: userAgent.slice(0, 512) } : {}),
        ...(req.ip ? { ip: req.ip } : {}),
      });
      return true;
    } catch (error) {
      req.log.error(
        { err: error, kind, workspaceId: payload.workspace },
        'could not record email engagement',
      );
      return false;
    }
  }

  // Open pixel: always the GIF, whatever the token, so a broken or forged link never shows an error image.
  router.get('/o/:file', async (req: Request<{ file: string }>, res: Response) => {
    const token = req.params.file.endsWith('.gif') ? req.params.file.slice(0, -4) : req.params.file;
    const payload = verify(token);
    if (payload) await record(req, 'opened', payload);
    res
      .status(200)
      .set({
        'Content-Type': 'image/gif',
        'Content-Length': String(PIXEL.length),
        'Cache-Control': 'no-store, no-cache, must-revalidate, max-age=0',
        Pragma: 'no-cache',
      })
      .end(PIXEL);
  });

  // Click: redirect only to the URL inside a valid signature; never to a URL from the query string.
  router.get('/c/:token', async (req: Request<{ token: string }>, res: Response) => {
    const payload = verify(req.params.token);
    if (!payload?.url || !SAFE_LINK.test(payload.url)) {
      res
        .status(404)
        .set('Cache-Control', 'no-store')
        .type('html')
        .send(
          page(
            'Link not found',
            'This link is invalid or was changed. Open the original email and try again.',
          ),
        );
      return;
    }
    await record(req, 'clicked', payload);
    res.set('Cache-Control', 'no-store').redirect(302, payload.url);
  });

  async function unsubscribe(req: Request<{ token: string }>, res: Response, oneClick: boolean) {
    const payload = verify(req.params.token);
    if (!payload?.workspace) {
      if (oneClick) res.status(404).type('text').send('Unknown unsubscribe link.');
      else
        res
          .status(404)
          .type('html')
          .send(
            page(
              'Link not found',
              'This unsubscribe link is invalid or was changed. Use the link in the latest email, or reply to it and ask to be removed.',
            ),
          );
      return;
    }
    // What counts is that the choice is stored, even if recording the Unsubscribed event failed.
    const done =
      (await record(req, 'unsubscribed', payload)) ||
      (
        await getSubscriptions(ctx.db.connection, payload.workspace, payload.contactId).catch(
          () => undefined,
        )
      )?.email === 'unsubscribed';
    res.set('Cache-Control', 'no-store');
    if (!done) {
      res.status(503).set('Retry-After', '30');
      if (oneClick) res.type('text').send('Could not unsubscribe right now; please retry.');
      else
        res
          .type('html')
          .send(
            page(
              'Please try again',
              'We could not process your request just now. Please reload this page in a minute.',
            ),
          );
      return;
    }
    // RFC 8058: the mail provider POSTs `List-Unsubscribe=One-Click`; any 2xx tells it we are done.
    if (oneClick) res.status(200).type('text').send('Unsubscribed.');
    else
      res
        .status(200)
        .type('html')
        .send(
          page(
            'You are unsubscribed',
            'You will no longer receive these emails. It can take a few minutes for messages already on their way to stop.',
          ),
        );
  }
  router.get('/u/:token', (req: Request<{ token: string }>, res: Response) =>
    unsubscribe(req, res, false),
  );
  router.post('/u/:token', (req: Request<{ token: string }>, res: Response) =>
    unsubscribe(req, res, true),
  );

  return router;
}
