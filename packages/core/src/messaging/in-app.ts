/**
 * An in-app message as the `inAppMessage@1` action hands it over and the store keeps it: one shape for
 * the action SDK (ctx.services.storeInAppMessage) and the database layer.
 */
export interface InAppMessage {
  /** Stable id (the idempotency key) so a retried store overwrites instead of duplicating. */
  messageId: string;
  journeyId: string;
  nodeId: string;
  title: string;
  body: string;
  cta?: { label: string; url: string };
  /** ISO-8601. */
  createdAt: string;
  expiresAt?: string;
}
