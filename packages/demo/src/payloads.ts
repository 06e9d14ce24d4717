/**
 * The Segment HTTP Tracking API payloads the demo store produces: what `POST /v1/batch` (or an import) accepts.
 * A subset of @cairn/core's EventPayload, spelled out so the generator's output is checked by the compiler.
 */
interface SegmentCommon {
  messageId: string;
  /** ISO-8601 with milliseconds, UTC. */
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  context?: Record<string, unknown>;
}

export interface SegmentIdentify extends SegmentCommon {
  type: 'identify';
  traits: Record<string, unknown>;
}

export interface SegmentTrack extends SegmentCommon {
  type: 'track';
  event: string;
  properties: Record<string, unknown>;
}

export interface SegmentPage extends SegmentCommon {
  type: 'page';
  name: string;
  properties: Record<string, unknown>;
}

export type SegmentPayload = SegmentIdentify | SegmentTrack | SegmentPage;

/** The name Cairn gives the event (as `normalizeEvent` does): the track name, 'Page Viewed' or 'Identify'. */
export function eventNameOf(payload: SegmentPayload): string {
  switch (payload.type) {
    case 'track':
      return payload.event;
    case 'page':
      return 'Page Viewed';
    case 'identify':
      return 'Identify';
  }
}

export interface DemoOrderLine {
  product_id: string;
  sku: string;
  name: string;
  category: string;
  price: number;
  quantity: number;
}
