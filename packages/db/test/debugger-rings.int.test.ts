import type { CairnEvent } from '@cairn/core';
import {
  connectDatabase,
  DEBUGGER_LIMITS,
  readDebugger,
  recordDebuggerEvents,
  recordDebuggerRefusals,
  type Database,
} from '../src/index';
import { testDatabase } from './helpers';

const T0 = Date.parse('2026-12-01T12:00:00Z');

function track(id: string, userId: string, props: Record<string, unknown> = {}): CairnEvent {
  return {
    messageId: id,
    type: 'track',
    userId,
    event: 'Debugged',
    properties: props,
    traits: {},
    context: {},
    timestamp: T0,
    receivedAt: T0,
  };
}

describe("the event debugger's rings", () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let second: Database; // another API process writing the same workspace's rings
  beforeAll(async () => {
    db = await testDatabase('debugger');
    second = await connectDatabase(process.env.MONGO_URL as string, db.connection.name);
  });
  afterAll(async () => {
    await second.close();
    await db.drop();
  });

  it('keeps every entry of concurrent requests from two processes, newest first per process', async () => {
    const requests = Array.from({ length: 40 }, (_, r) =>
      recordDebuggerEvents(r % 2 ? second.connection : db.connection, 'ws_a', [
        track(`m-${r}-0`, `u-${r}`),
        track(`m-${r}-1`, `u-${r}`),
      ]),
    );
    await Promise.all(requests);
    const { events } = await readDebugger(db.connection, 'ws_a');
    expect(events.map((e) => e.messageId).sort()).toEqual(
      Array.from({ length: 40 }, (_, r) => [`m-${r}-0`, `m-${r}-1`])
        .flat()
        .sort(),
    );
    // Within a request the later event is listed first.
    const ids = events.map((e) => e.messageId);
    expect(ids.indexOf('m-7-1')).toBeLessThan(ids.indexOf('m-7-0'));
  });

  it('keeps only the newest entries and cuts large properties', async () => {
    for (let round = 0; round < 3; round++)
      await recordDebuggerEvents(
        db.connection,
        'ws_b',
        Array.from({ length: 100 }, (_, i) => track(`r${round}-${i}`, 'u')),
      );
    await recordDebuggerEvents(db.connection, 'ws_b', [
      track('big', 'u', { blob: 'x'.repeat(10_000) }),
    ]);
    const { events } = await readDebugger(db.connection, 'ws_b');
    expect(events).toHaveLength(DEBUGGER_LIMITS.accepted);
    expect(events[0]).toMatchObject({ messageId: 'big', truncated: true });
    expect(events[0]!.properties).toHaveLength(DEBUGGER_LIMITS.valueChars);
    expect(events[1]!.messageId).toBe('r2-99');
    expect(events.at(-1)!.messageId).toBe('r1-1');
  });

  it('files refusals apart, per workspace, and filters both lists', async () => {
    await recordDebuggerRefusals(db.connection, 'ws_c', [
      {
        at: T0,
        method: 'POST',
        path: '/v1/track',
        status: 400,
        title: 'Bad Request',
        errors: [{ path: 'event', message: 'is required' }],
        userId: 'Dev-9',
        body: '{"userId":"Dev-9"}',
        truncated: false,
      },
    ]);
    await recordDebuggerEvents(db.connection, 'ws_c', [track('c-1', 'dev-9'), track('c-2', 'x')]);
    const filtered = await readDebugger(db.connection, 'ws_c', { user: 'DEV-9' });
    expect(filtered.events.map((e) => e.messageId)).toEqual(['c-1']);
    expect(filtered.refused.map((r) => r.errors[0]?.path)).toEqual(['event']);
    expect(await readDebugger(db.connection, 'ws_c', { event: 'nothing' })).toEqual({
      events: [],
      refused: [],
    });
    expect((await readDebugger(db.connection, 'ws_a')).refused).toEqual([]);
  });
});
