import { normalizeEvent, validateBatch, validateBatchPayload } from './index.js';

const receivedAt = Date.parse('2024-05-01T12:00:00.000Z');
const now = receivedAt;

describe('normalizeEvent', () => {
  it('refuses timestamps beyond the range of dates naming the field, instead of throwing (found by the import fuzz test)', () => {
    for (const timestamp of [-8640000000000001, 8640000000000001]) {
      const result = normalizeEvent(
        { type: 'track', userId: 'u', event: 'E', messageId: 'm', timestamp },
        { receivedAt: Date.now(), now: Date.now() },
      );
      expect(result).toMatchObject({
        ok: false,
        errors: [
          { path: 'timestamp', message: expect.stringContaining('outside the range of dates') },
        ],
      });
    }
  });

  it('corrects device clock skew using sentAt, as Segment does', () => {
    // Device clock is 1 hour fast: it says it sent at 13:00 what happened at 12:50, we received at 12:00.
    const r = normalizeEvent(
      {
        type: 'track',
        userId: 'u1',
        event: 'Order Completed',
        messageId: 'm1',
        timestamp: '2024-05-01T12:50:00.000Z',
        sentAt: '2024-05-01T13:00:00.000Z',
        properties: { revenue: 10 },
      },
      { receivedAt, now },
    );
    expect(r.ok && r.event.timestamp).toBe(Date.parse('2024-05-01T11:50:00.000Z'));
    expect(r.ok && r.event.event).toBe('Order Completed');
  });

  it('keeps the timestamp as sent for historical imports without sentAt', () => {
    const r = normalizeEvent(
      { type: 'track', userId: 'u1', event: 'X', timestamp: '2019-03-04T00:00:00Z' },
      { receivedAt, now },
    );
    expect(r.ok && r.event.timestamp).toBe(Date.parse('2019-03-04T00:00:00Z'));
  });

  it('names page, screen and identify calls the Segment way', () => {
    const page = normalizeEvent(
      { type: 'page', anonymousId: 'a1', name: 'Pricing' },
      { receivedAt, now },
    );
    const identify = normalizeEvent(
      { type: 'identify', userId: 'u1', traits: { plan: 'pro' } },
      { receivedAt, now },
    );
    expect(page.ok && [page.event.event, page.event.properties.name, page.event.timestamp]).toEqual(
      ['Page Viewed', 'Pricing', receivedAt],
    );
    expect(identify.ok && [identify.event.event, identify.event.traits]).toEqual([
      'Identify',
      { plan: 'pro' },
    ]);
  });

  it('refuses events without an identity, and aliases without previousId', () => {
    const r = normalizeEvent({ type: 'track', event: 'X' }, { receivedAt, now });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]).toEqual({
      path: 'userId',
      message: 'must have userId or anonymousId',
    });
    const alias = normalizeEvent({ type: 'alias', userId: 'u1' }, { receivedAt, now });
    expect(!alias.ok && alias.errors.map((e) => e.path)).toEqual(['previousId']);
  });

  it('refuses timestamps far in the future or before 2000, naming the field', () => {
    const future = normalizeEvent(
      { type: 'track', userId: 'u', event: 'X', timestamp: '2024-05-03T12:00:00Z' },
      { receivedAt, now },
    );
    expect(!future.ok && future.errors[0]?.path).toBe('timestamp');
    const ancient = normalizeEvent(
      { type: 'track', userId: 'u', event: 'X', originalTimestamp: '1970-01-01T00:00:00Z' },
      { receivedAt, now },
    );
    expect(!ancient.ok && ancient.errors[0]?.path).toBe('originalTimestamp');
  });

  it('derives the same messageId for a retry whose sentAt changed, and a different one for a different event', () => {
    const base = {
      type: 'track',
      userId: 'u',
      event: 'X',
      timestamp: '2024-05-01T11:00:00Z',
      properties: { a: 1, b: 2 },
    };
    const first = normalizeEvent({ ...base, sentAt: '2024-05-01T11:00:01Z' }, { receivedAt, now });
    const retry = normalizeEvent(
      { ...base, properties: { b: 2, a: 1 }, sentAt: '2024-05-01T11:05:00Z' },
      { receivedAt: receivedAt + 300_000, now },
    );
    const other = normalizeEvent({ ...base, properties: { a: 1, b: 3 } }, { receivedAt, now });
    expect(first.ok && retry.ok && first.event.messageId === retry.event.messageId).toBe(true);
    expect(first.ok && other.ok && first.event.messageId !== other.event.messageId).toBe(true);
  });

  it('keeps unknown top-level fields out of the way but accepts them', () => {
    const r = normalizeEvent(
      { type: 'track', userId: 'u', event: 'X', writeKey: 'abc', version: 2 },
      { receivedAt, now },
    );
    expect(r.ok).toBe(true);
  });
});

describe('validateBatch', () => {
  it('reports each bad item by index and normalizes the good ones', () => {
    const results = validateBatch(
      [
        { type: 'track', userId: 'u', event: 'A' },
        { type: 'track', userId: 'u' },
        { type: 'nope', userId: 'u' },
      ],
      { receivedAt, now },
    );
    expect(results.map((r) => ('event' in r ? 'ok' : r.errors[0]?.path))).toEqual([
      'ok',
      'event',
      'type',
    ]);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it('applies batch-level sentAt and context to items that lack them', () => {
    const r = validateBatchPayload(
      {
        batch: [{ type: 'track', userId: 'u', event: 'A', timestamp: '2024-05-01T12:30:00Z' }],
        sentAt: '2024-05-01T13:00:00Z',
        context: { ip: '1.2.3.4' },
      },
      { receivedAt, now },
    );
    const item = r.ok ? r.results[0] : undefined;
    expect(item && 'event' in item && [item.event.timestamp, item.event.context.ip]).toEqual([
      Date.parse('2024-05-01T11:30:00Z'),
      '1.2.3.4',
    ]);
  });
});

describe('values storage cannot keep as sent', () => {
  it('refuses a number beyond double range (JSON.parse turns 1e309 into Infinity), naming the field', () => {
    const r = normalizeEvent(
      JSON.parse(
        '{"type":"track","userId":"u","event":"Order Completed","properties":{"items":[{"price":1e309}]}}',
      ),
      { receivedAt, now },
    );
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          path: 'properties.items[0].price',
          message: expect.stringMatching(/beyond the range of a number/),
        },
      ],
    });
  });

  it('refuses a __proto__ key, naming it, where a validator would silently drop it', () => {
    const r = normalizeEvent(
      JSON.parse(
        '{"type":"identify","userId":"u","traits":{"plan":"pro","__proto__":{"admin":true}}}',
      ),
      { receivedAt, now },
    );
    expect(r).toEqual({
      ok: false,
      errors: [{ path: 'traits.__proto__', message: expect.stringMatching(/rename it/) }],
    });
  });

  it('keeps prototype, constructor and toString keys', () => {
    const r = normalizeEvent(
      JSON.parse(
        '{"type":"track","userId":"u","event":"X","properties":{"prototype":1,"constructor":{"toString":2}}}',
      ),
      { receivedAt, now },
    );
    expect(r.ok && r.event.properties).toEqual({ prototype: 1, constructor: { toString: 2 } });
  });
});
