import { fnv1a64, stableStringify } from './hash.js';
import { formatIssuePath, tooDeepIssue, unstorableIssue, type FieldIssue } from './issues.js';
import {
  BatchPayloadSchema,
  EventPayloadSchema,
  type CairnEvent,
  type EventPayload,
} from './schema.js';

export interface NormalizeOptions {
  /** When the server received the payload. */
  receivedAt: number | Date;
  /** The current time, to refuse timestamps from the future. */
  now: number | Date;
  /** How far in the future a corrected timestamp may be (default 1 day). */
  maxFutureMs?: number;
}

/** How deeply objects and arrays may nest in one event (counted from the payload itself, so properties get 31). */
export const MAX_EVENT_DEPTH = 32;

/** Events before this are refused: such timestamps come from unset device clocks, not real history. */
export const EARLIEST_EVENT_TIMESTAMP = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;

export type NormalizeResult = { ok: true; event: CairnEvent } | { ok: false; errors: FieldIssue[] };

const EVENT_NAME_BY_TYPE = {
  identify: 'Identify',
  page: 'Page Viewed',
  screen: 'Screen Viewed',
  group: 'Group',
  alias: 'Alias',
} as const;

/** An instant for an error message; one outside the range of dates (±8.64e15 ms) would make toISOString throw. */
function describeInstant(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime())
    ? `${ms} ms from 1970, outside the range of dates`
    : date.toISOString();
}

function toMs(value: string | number | Date): number {
  if (value instanceof Date) return value.getTime();
  return typeof value === 'number' ? value : Date.parse(value);
}

/** A messageId for payloads without one: hash of the payload minus the fields a retry changes (sentAt, receivedAt). */
export function deriveMessageId(raw: Record<string, unknown>): string {
  const { sentAt: _sentAt, receivedAt: _receivedAt, messageId: _messageId, ...stable } = raw;
  return `cairn-${fnv1a64(stableStringify(stable))}`;
}

/**
 * Validates one Segment payload and turns it into a CairnEvent. Clock skew is corrected as Segment does:
 * with sentAt present, timestamp = receivedAt − (sentAt − timestamp).
 */
export function normalizeEvent(raw: unknown, options: NormalizeOptions): NormalizeResult {
  const tooDeep = tooDeepIssue(raw, MAX_EVENT_DEPTH);
  if (tooDeep) return { ok: false, errors: [tooDeep] };
  const unstorable = unstorableIssue(raw);
  if (unstorable) return { ok: false, errors: [unstorable] };
  const parsed = EventPayloadSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        path: formatIssuePath(i.path) || 'type',
        message: i.message,
      })),
    };
  }
  const payload: EventPayload = parsed.data;
  const receivedAt = toMs(options.receivedAt);
  const now = toMs(options.now);

  const clientTimestamp = payload.timestamp ?? payload.originalTimestamp;
  const timestampField = payload.timestamp !== undefined ? 'timestamp' : 'originalTimestamp';
  let timestamp = receivedAt;
  if (clientTimestamp !== undefined) {
    const client = toMs(clientTimestamp);
    timestamp =
      payload.sentAt !== undefined ? receivedAt - (toMs(payload.sentAt) - client) : client;
  }
  const maxFuture = options.maxFutureMs ?? DAY_MS;
  if (timestamp > now + maxFuture) {
    return {
      ok: false,
      errors: [
        {
          path: timestampField,
          message: `is ${describeInstant(timestamp)} after clock-skew correction, more than ${Math.round(maxFuture / 3_600_000)} hours in the future; check the device clock and sentAt`,
        },
      ],
    };
  }
  if (timestamp < EARLIEST_EVENT_TIMESTAMP) {
    return {
      ok: false,
      errors: [
        {
          path: timestampField,
          message: `is ${describeInstant(timestamp)}, before 2000-01-01; send the real time the event happened`,
        },
      ],
    };
  }

  const event: CairnEvent = {
    messageId: payload.messageId ?? deriveMessageId(raw as Record<string, unknown>),
    type: payload.type,
    event: payload.type === 'track' ? payload.event : EVENT_NAME_BY_TYPE[payload.type],
    properties: {},
    traits: {},
    context: payload.context ?? {},
    timestamp,
    receivedAt,
  };
  if (payload.userId !== undefined) event.userId = payload.userId;
  if (payload.anonymousId !== undefined) event.anonymousId = payload.anonymousId;
  switch (payload.type) {
    case 'identify':
      event.traits = payload.traits ?? {};
      break;
    case 'track':
      event.properties = payload.properties ?? {};
      break;
    case 'page':
    case 'screen':
      event.properties = { ...(payload.properties ?? {}) };
      if (payload.name !== undefined) event.properties.name ??= payload.name;
      if (payload.category !== undefined) event.properties.category ??= payload.category;
      break;
    case 'group':
      event.groupId = payload.groupId;
      event.traits = payload.traits ?? {};
      break;
    case 'alias':
      event.previousId = payload.previousId;
      break;
    default:
      assertNever(payload);
  }
  return { ok: true, event };
}

function assertNever(value: never): never {
  throw new Error(`unexpected event payload ${JSON.stringify(value)}`);
}

export type BatchItemResult =
  { index: number; event: CairnEvent } | { index: number; errors: FieldIssue[] };

/**
 * Normalizes each item of a batch on its own. Batch-level context, integrations and sentAt apply to items that lack them.
 * Error paths are relative to the item (the index is given separately).
 */
export function validateBatch(
  items: readonly unknown[],
  options: NormalizeOptions & {
    defaults?: {
      context?: Record<string, unknown>;
      integrations?: Record<string, unknown>;
      sentAt?: string | number;
    };
  },
): BatchItemResult[] {
  const defaults = options.defaults ?? {};
  return items.map((item, index) => {
    const withDefaults =
      item !== null && typeof item === 'object' && !Array.isArray(item)
        ? { ...stripUndefined(defaults), ...(item as Record<string, unknown>) }
        : item;
    const result = normalizeEvent(withDefaults, options);
    return result.ok ? { index, event: result.event } : { index, errors: result.errors };
  });
}

/** Validates a whole `POST /v1/batch` body. */
export function validateBatchPayload(
  raw: unknown,
  options: NormalizeOptions,
): { ok: true; results: BatchItemResult[] } | { ok: false; errors: FieldIssue[] } {
  const parsed = BatchPayloadSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        path: formatIssuePath(i.path) || 'batch',
        message: i.message,
      })),
    };
  }
  const { batch, context, integrations, sentAt } = parsed.data;
  const defaults: {
    context?: Record<string, unknown>;
    integrations?: Record<string, unknown>;
    sentAt?: string | number;
  } = {};
  if (context !== undefined) defaults.context = context;
  if (integrations !== undefined) defaults.integrations = integrations;
  if (sentAt !== undefined) defaults.sentAt = sentAt;
  return { ok: true, results: validateBatch(batch, { ...options, defaults }) };
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
