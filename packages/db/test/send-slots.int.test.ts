import { connectDatabase, reserveSendSlot, sendSlotModel, syncIndexes } from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_slots';
const limit = { messages: 5, per: { amount: 1, unit: 'minutes' as const } };
const MINUTE = 60_000;

describe('send slots', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('sendslots');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  it('two processes sending 23 messages at once under 5 per minute: 5 now, the rest queued 5 a window, each once', async () => {
    // A second connection has its own process-local state, as a second worker would.
    const other = await connectDatabase(process.env.MONGO_URL!, db.connection.name);
    try {
      const now = Date.parse('2026-12-01T10:00:20Z');
      const windowStart = Date.parse('2026-12-01T10:00:00Z');
      const keys = Array.from({ length: 23 }, (_, i) => `send-${i}`);
      const slots = await Promise.all(
        keys.map((key, i) =>
          reserveSendSlot((i % 2 ? other : db).connection, {
            workspaceId: WS,
            channel: 'email',
            key,
            limit,
            now,
          }),
        ),
      );
      const byWindow = new Map<number, number>();
      for (const slot of slots) {
        const at = slot.sendNow ? windowStart : slot.sendAt;
        byWindow.set(at, (byWindow.get(at) ?? 0) + 1);
      }
      expect([...byWindow].sort(([a], [b]) => a - b)).toEqual([
        [windowStart, 5],
        [windowStart + MINUTE, 5],
        [windowStart + 2 * MINUTE, 5],
        [windowStart + 3 * MINUTE, 5],
        [windowStart + 4 * MINUTE, 3],
      ]);
      expect(slots.filter((s) => !s.sendNow && s.firstTime)).toHaveLength(18);

      // A queued send asking again before its window waits for the same one; inside it, it sends, taking no new slot.
      const queued = keys.find((_, i) => !slots[i]!.sendNow)!;
      const again = slots[keys.indexOf(queued)] as { sendAt: number };
      const ask = (at: number) =>
        reserveSendSlot(db.connection, {
          workspaceId: WS,
          channel: 'email',
          key: queued,
          limit,
          now: at,
        });
      expect(await ask(now + 1_000)).toEqual({
        sendNow: false,
        sendAt: again.sendAt,
        firstTime: false,
      });
      expect(await ask(again.sendAt + 10)).toEqual({ sendNow: true });
      const taken = await sendSlotModel(db.connection).countDocuments({
        workspaceId: WS,
        kind: 'slot',
      });
      expect(taken).toBe(23);

      // A send that got a slot now and is retried in the same window (its provider did not answer) keeps it.
      const sentNow = keys.find((_, i) => slots[i]!.sendNow)!;
      expect(
        await reserveSendSlot(db.connection, {
          workspaceId: WS,
          channel: 'email',
          key: sentNow,
          limit,
          now: now + 5_000,
        }),
      ).toEqual({ sendNow: true });
      expect(
        await sendSlotModel(db.connection).countDocuments({ workspaceId: WS, kind: 'slot' }),
      ).toBe(23);

      // Another workspace, or another channel, has a limit of its own.
      expect(
        await reserveSendSlot(db.connection, {
          workspaceId: WS,
          channel: 'sms',
          key: 'sms-1',
          limit,
          now,
        }),
      ).toEqual({ sendNow: true });
    } finally {
      await other.close();
    }
  });

  it('the first send of a new window clears the slots of windows that are over', async () => {
    const at = Date.parse('2026-12-01T11:00:05Z');
    for (let i = 0; i < 3; i++)
      await reserveSendSlot(db.connection, {
        workspaceId: 'ws_clear',
        channel: 'email',
        key: `a${i}`,
        limit,
        now: at,
      });
    await reserveSendSlot(db.connection, {
      workspaceId: 'ws_clear',
      channel: 'email',
      key: 'later',
      limit,
      now: at + 2 * MINUTE,
    });
    const left = await sendSlotModel(db.connection).find({ workspaceId: 'ws_clear' }).lean();
    expect(new Set(left.map((s) => s.key))).toEqual(new Set(['later']));
  });
});
