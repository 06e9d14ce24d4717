import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { CairnEvent } from '@cairn/core';
import { ingestEvents } from '../ingest/fold.js';
import type { IngestReport } from '../ingest/shared.js';
import { countJourneyEngagement } from '../journeys/counters.js';
import { setSubscriptions } from './subscriptions.js';

export type EmailEngagementKind = 'opened' | 'clicked' | 'unsubscribed';

export const EMAIL_ENGAGEMENT_EVENTS: Record<EmailEngagementKind, string> = {
  opened: 'Email Opened',
  clicked: 'Email Clicked',
  unsubscribed: 'Unsubscribed',
};

/** What a verified tracking token says about the email (see verifyTrackingToken in @cairn/actions). */
export interface EmailEngagement {
  kind: EmailEngagementKind;
  workspaceId: string;
  contactId: string;
  journeyId: string;
  nodeId: string;
  /** The email's own id (the send step's idempotency key). */
  emailMessageId: string;
  /** Clicks only: the original link. */
  url?: string;
  userAgent?: string;
  ip?: string;
}

const MINUTE_MS = 60_000;
const shortHash = (value: string) =>
  createHash('sha256').update(value).digest('base64url').slice(0, 16);

/**
 * The event's messageId (its dedupe key). Opens and clicks count once per email (and link) per
 * minute: mail clients and image proxies fetch a pixel several times in a burst, and a retried
 * request must not count twice, but a reader who comes back later counts again. An unsubscribe
 * counts once per email, ever.
 */
export function engagementMessageId(
  e: Pick<EmailEngagement, 'kind' | 'emailMessageId' | 'url'>,
  now: number,
): string {
  const minute = Math.floor(now / MINUTE_MS);
  if (e.kind === 'unsubscribed') return `email-unsubscribed:${shortHash(e.emailMessageId)}`;
  if (e.kind === 'clicked')
    return `email-clicked:${shortHash(`${e.emailMessageId}\n${e.url ?? ''}`)}:${minute}`;
  return `email-opened:${shortHash(e.emailMessageId)}:${minute}`;
}

export function engagementEvent(e: EmailEngagement, now: number): CairnEvent {
  return {
    messageId: engagementMessageId(e, now),
    type: 'track',
    userId: e.contactId,
    event: EMAIL_ENGAGEMENT_EVENTS[e.kind],
    properties: {
      messageId: e.emailMessageId,
      journeyId: e.journeyId,
      nodeId: e.nodeId,
      channel: 'email',
      ...(e.url !== undefined ? { url: e.url } : {}),
    },
    traits: {},
    context: {
      ...(e.userAgent ? { userAgent: e.userAgent } : {}),
      ...(e.ip ? { ip: e.ip } : {}),
    },
    timestamp: now,
    receivedAt: now,
  };
}

/**
 * Records an open, click or unsubscribe as an event folded into the contact's profile (and so into
 * segments). An unsubscribe also sets `subscriptions.email = 'unsubscribed'`.
 */
export async function recordEmailEngagement(
  connection: Connection,
  e: EmailEngagement,
  options: { now?: number } = {},
): Promise<IngestReport> {
  const now = options.now ?? Date.now();
  const unsubscribe = () =>
    setSubscriptions(connection, e.workspaceId, e.contactId, { email: 'unsubscribed' });
  // The choice first, so it sticks even if recording the event fails later (e.g. in segment evaluation)...
  if (e.kind === 'unsubscribed') await unsubscribe();
  const report = await ingestEvents(connection, e.workspaceId, [engagementEvent(e, now)], { now });
  // ...and again after: the event creates the contact if it did not exist (a no-op when already set).
  if (e.kind === 'unsubscribed') await unsubscribe();
  // The journey step's opened/clicked counters, once per new event (a resent pixel or click counts once).
  if (report.stored > 0 && (e.kind === 'opened' || e.kind === 'clicked'))
    await countJourneyEngagement(connection, e.workspaceId, e.journeyId, e.nodeId, e.kind);
  return report;
}
