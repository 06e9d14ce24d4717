import type { CairnEvent } from '@cairn/core';
import {
  connectDatabase,
  contactKey,
  contactModel,
  eraseContact,
  ingestEvents,
  loadProfile,
  syncIndexes,
  updateContactTraits,
  type Database,
} from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_cache';
const T0 = Date.parse('2026-11-01T09:00:00Z');

let seq = 0;
const viewed = (userId: string, page: string): CairnEvent => {
  seq += 1;
  return {
    messageId: `${userId}-v${seq}`,
    type: 'track',
    userId,
    event: 'Page Viewed',
    properties: { page },
    traits: {},
    context: {},
    timestamp: T0 + seq * 1000,
    receivedAt: T0 + seq * 1000,
  };
};

/** Two processes of Cairn on one database: `a` and `b` each fold with a memory of their own. */
describe('the fold remembers the contacts it wrote, and never trusts that memory past a write by anyone else', () => {
  let a: Awaited<ReturnType<typeof testDatabase>>;
  let b: Database;
  const contactFinds: string[] = [];
  const previous = process.env.CAIRN_MONITOR_COMMANDS;

  beforeAll(async () => {
    process.env.CAIRN_MONITOR_COMMANDS = '1';
    a = await testDatabase('cache');
    if (previous === undefined) delete process.env.CAIRN_MONITOR_COMMANDS;
    else process.env.CAIRN_MONITOR_COMMANDS = previous;
    await syncIndexes(a.connection);
    b = await connectDatabase(process.env.MONGO_URL as string, a.connection.name);
    a.connection.getClient().on('commandStarted', (event) => {
      const command = event.command as Record<string, unknown>;
      if (event.commandName === 'find' && command.find === 'contacts')
        contactFinds.push(JSON.stringify(command.filter));
    });
  });
  afterAll(async () => {
    await b.close();
    await a.drop();
  });

  const stored = (connection: Database['connection'], id: string) =>
    contactModel(connection).findById(contactKey(WS, id)).lean();
  const views = async (id: string) => {
    const doc = await stored(a.connection, id);
    if (!doc) return undefined;
    return (await loadProfile(a.connection, doc)).events['Page Viewed']?.count;
  };

  it('folds a contact it wrote a moment ago without reading it back', async () => {
    await ingestEvents(a.connection, WS, [viewed('ada', '/a')]);
    contactFinds.length = 0;
    await ingestEvents(a.connection, WS, [viewed('ada', '/b'), viewed('ada', '/c')]);
    expect(contactFinds.filter((f) => f.includes('ada'))).toEqual([]);
    expect(await views('ada')).toBe(3);
  });

  it("keeps another process's trait change made between two folds, and folds its own events on top", async () => {
    await ingestEvents(a.connection, WS, [viewed('bea', '/a')]);
    const changed = await updateContactTraits(b.connection, WS, 'bea', (current) => ({
      ...current,
      traits: { ...current.traits, plan: 'gold' },
      profileTraits: { ...current.profileTraits, plan: 'gold' },
    }));
    expect(changed).toBe('updated');
    await ingestEvents(a.connection, WS, [viewed('bea', '/b')]);
    const doc = await stored(a.connection, 'bea');
    expect(doc?.traits).toMatchObject({ plan: 'gold' });
    expect(await views('bea')).toBe(2);
  });

  it('does not write over a contact erased and created again by another process, even at the revision it remembers', async () => {
    await ingestEvents(a.connection, WS, [viewed('cy', '/a'), viewed('cy', '/b')]);
    await ingestEvents(a.connection, WS, [viewed('cy', '/c')]);
    const remembered = await stored(a.connection, 'cy');
    // Process b erases cy, then cy comes back through b with one new event per fold until the new
    // contact stands at the revision process a remembers.
    await eraseContact(b.connection, WS, { contactId: 'cy' });
    for (let i = 0; i < 10; i++) {
      const now = await stored(b.connection, 'cy');
      if (now && now.rev >= (remembered?.rev ?? 0)) break;
      await ingestEvents(b.connection, WS, [viewed('cy', `/again-${i}`)]);
    }
    const reborn = await stored(b.connection, 'cy');
    expect(reborn?.rev).toBe(remembered?.rev);
    const before = await views('cy');

    await ingestEvents(a.connection, WS, [viewed('cy', '/d')]);
    // The reborn contact's history plus the one new event; nothing of the erased history comes back.
    expect(await views('cy')).toBe((before ?? 0) + 1);
  });
});
