import type { CairnEvent } from '@cairn/core';
import {
  connectDatabase,
  eventModel,
  eventSchemaModel,
  ingestEvents,
  syncIndexes,
  type Database,
} from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_catalog';
const T0 = Date.parse('2026-11-25T12:00:00Z');
const NAMES = ['Product Viewed', 'Added to Cart', 'Order Completed'];
const PROCESSES = 2;
const REQUESTS_IN_FLIGHT = 3; // per process, as concurrent HTTP requests would be
const BATCHES = 8; // per request stream
const PER_BATCH = 25;

function batch(stream: string, b: number): CairnEvent[] {
  return Array.from({ length: PER_BATCH }, (_, i) => ({
    messageId: `${stream}-${b}-${i}`,
    type: 'track',
    userId: `shopper-${i % 5}`,
    event: NAMES[(b + i) % NAMES.length] as string,
    properties: { sku: `sku-${i}` },
    traits: {},
    context: {},
    timestamp: T0 + b * 1000 + i,
    receivedAt: T0 + b * 1000 + i,
  }));
}

describe('the event catalog under concurrent ingestion', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let second: Database; // a second API process's connection
  beforeAll(async () => {
    db = await testDatabase('catalog');
    await syncIndexes(db.connection);
    second = await connectDatabase(process.env.MONGO_URL as string, db.connection.name);
  });
  afterAll(async () => {
    await second.close();
    await db.drop();
  });

  it('counts every stored event once, whichever process stored it, and no resent one', async () => {
    const connections = [db.connection, second.connection];
    const streams = Array.from({ length: PROCESSES * REQUESTS_IN_FLIGHT }, (_, s) => ({
      name: `p${s % PROCESSES}-r${s}`,
      connection: connections[s % PROCESSES] as Database['connection'],
    }));
    await Promise.all(
      streams.map(async ({ name, connection }) => {
        for (let b = 0; b < BATCHES; b++) {
          await ingestEvents(connection, WS, batch(name, b), { now: T0 });
          // A client that timed out resends its batch: the duplicates must not count again.
          if (b % 4 === 0) await ingestEvents(connection, WS, batch(name, b), { now: T0 });
        }
      }),
    );

    const catalog = await eventSchemaModel(db.connection).find({ workspaceId: WS }).lean();
    const counted = Object.fromEntries(catalog.map((entry) => [entry.event, entry.count]));
    const stored = Object.fromEntries(
      await Promise.all(
        NAMES.map(
          async (event) =>
            [
              event,
              await eventModel(db.connection).countDocuments({ workspaceId: WS, event }),
            ] as const,
        ),
      ),
    );
    expect(Object.values(stored).reduce((a, b) => a + b, 0)).toBe(
      streams.length * BATCHES * PER_BATCH,
    );
    expect(counted).toEqual(stored);
  }, 180_000);
});
