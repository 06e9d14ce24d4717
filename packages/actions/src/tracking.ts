import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an open pixel, click redirect or unsubscribe link carries back to the API. */
export interface TrackingTokenPayload {
  workspace?: string;
  contactId: string;
  journeyId: string;
  nodeId: string;
  messageId: string;
  /** Click links only: where to redirect after recording `Email Clicked`. */
  url?: string;
}

const mac = (body: string, secret: string): Buffer =>
  createHmac('sha256', secret).update(body).digest();

/** `<base64url JSON>.<base64url HMAC-SHA256>`; signed so nobody can forge clicks or redirect through us. */
export function signTrackingToken(payload: TrackingTokenPayload, secret: string): string {
  if (!secret)
    throw new Error('signTrackingToken: secret must not be empty (set CAIRN_SECRET_KEY)');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(body, secret).toString('base64url')}`;
}

/** The payload if the signature matches, otherwise undefined (tampered, truncated or signed with another key). */
export function verifyTrackingToken(
  token: string,
  secret: string,
): TrackingTokenPayload | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || !secret) return undefined;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(body, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const payload = JSON.parse(
      Buffer.from(body, 'base64url').toString('utf8'),
    ) as TrackingTokenPayload;
    if (typeof payload.contactId !== 'string' || typeof payload.messageId !== 'string')
      return undefined;
    return payload;
  } catch {
    return undefined;
  }
}
