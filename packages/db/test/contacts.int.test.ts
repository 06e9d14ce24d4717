import type { CairnEvent } from '@cairn/core';
import {
  contactKey,
  contactModel,
  eraseContact,
  eventModel,
  findContact,
  ingestEvents,
  listContacts,
  syncIndexes,
  updateContactTraits,
} from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_contacts';
const T0 = Date.parse('2026-12-01T09:00:00Z');

const identify = (userId: string, traits: Record<string, unknown>, n = 0): CairnEvent => ({
  messageId: `${userId}-identify-${n}`,
  type: 'identify',
  event: 'Identify',
  userId,
  properties: {},
  traits,
  context: {},
  timestamp: T0 + n,
  receivedAt: T0 + n,
});

describe('the contacts repository on the real server', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('contacts');
    await syncIndexes(db.connection);
    await ingestEvents(
      db.connection,
      WS,
      ['ana', 'bo', 'cy', 'di', 'ed'].map((id) =>
        identify(id, { email: `${id}@Example.com`, name: id.toUpperCase() }),
      ),
      { now: T0 },
    );
  });
  afterAll(async () => db.drop());

  it('pages contacts in id order and finds them by email whatever the case', async () => {
    const first = await listContacts(db.connection, WS, { limit: 2 });
    expect(first.contacts.map((c) => c.contactId)).toEqual(['ana', 'bo']);
    expect(first.nextCursor).toBe('bo');
    const last = await listContacts(db.connection, WS, { after: 'cy', limit: 2 });
    expect(last).toMatchObject({
      contacts: [{ contactId: 'di' }, { contactId: 'ed' }],
      nextCursor: null,
    });
    const found = await listContacts(db.connection, WS, { search: 'CY@example', limit: 10 });
    expect(found.contacts.map((c) => c.contactId)).toEqual(['cy']);
  });

  it('reads again when the contact changes between its read and its write, and keeps both changes', async () => {
    const seen: Record<string, unknown>[] = [];
    const outcome = await updateContactTraits(db.connection, WS, 'bo', async (current) => {
      seen.push(current.traits);
      // The first time, a fold lands after this read: it sets a trait and moves the revision on.
      if (seen.length === 1)
        await contactModel(db.connection).updateOne(
          { _id: contactKey(WS, 'bo') },
          { $set: { 'traits.city': 'Porto' }, $inc: { rev: 1 } },
        );
      return {
        ...current,
        traits: { ...current.traits, plan: 'pro' },
        tags: [...current.tags, 'vip'],
      };
    });
    expect(outcome).toBe('updated');
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ city: 'Porto' });
    const bo = await findContact(db.connection, WS, 'bo', ['traits', 'tags']);
    expect(bo?.traits).toMatchObject({ plan: 'pro', city: 'Porto' });
    expect(bo?.tags).toEqual(['vip']);
    expect(await updateContactTraits(db.connection, WS, 'nobody', (c) => c)).toBe('missing');
  });

  it('erases a person: their events, their contact, and nothing of anyone else', async () => {
    const eventsOf = (contactId: string) =>
      eventModel(db.connection).countDocuments({ workspaceId: WS, contactId });
    expect(await eventsOf('ed')).toBe(1);
    const erased = await eraseContact(db.connection, WS, { contactId: 'ed' });
    expect(erased.events).toBe(1);
    expect(await findContact(db.connection, WS, 'ed')).toBeNull();
    expect(await eventsOf('ed')).toBe(0);
    expect(await eventsOf('di')).toBe(1);
    expect(await findContact(db.connection, WS, 'di', ['contactId'])).toMatchObject({
      contactId: 'di',
    });
  });
});
