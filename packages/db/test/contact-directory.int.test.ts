import type { CairnEvent } from '@cairn/core';
import {
  contactKey,
  contactModel,
  createWorkspace,
  eraseContact,
  findContact,
  ingestEvents,
  listContacts,
  syncIndexes,
  updateContactTraits,
} from '../src/index';
import {
  contactDirectoryModel,
  DIRECTORY_PAGE_SIZE,
  fileInDirectory,
  forgetDirectoryHints,
} from '../src/contact-directory';
import { forgetAllContacts } from '../src/contact-cache';
import { testDatabase } from './helpers';

const T0 = Date.parse('2026-12-01T09:00:00Z');
let seq = 0;

const identify = (
  ids: { userId?: string; anonymousId?: string },
  traits: Record<string, unknown>,
): CairnEvent => {
  seq++;
  return {
    messageId: `identify-${seq}`,
    type: 'identify',
    event: 'Identify',
    ...ids,
    properties: {},
    traits,
    context: {},
    timestamp: T0 + seq,
    receivedAt: T0 + seq,
  };
};

describe('contact search served by the contact directory', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let ws: string;
  beforeAll(async () => {
    db = await testDatabase('directory');
    await syncIndexes(db.connection);
    ws = (await createWorkspace(db.connection, { name: 'Directory' })).workspace._id;
  });
  afterAll(async () => db.drop());

  const search = async (text: string, workspaceId = ws, limit = 50) =>
    (await listContacts(db.connection, workspaceId, { search: text, limit })).contacts
      .map((c) => c.contactId)
      .sort();

  const entriesOf = async (workspaceId: string) =>
    (await contactDirectoryModel(db.connection).find({ workspaceId }).lean()).flatMap(
      (p) => p.entries ?? [],
    );

  it('finds contacts filed by a fold by id, email, name words and exact id, ignoring case and accents', async () => {
    await ingestEvents(
      db.connection,
      ws,
      [
        identify(
          { userId: 'user-0001' },
          { email: 'Ada.Lovelace@Example.com', name: 'Ada Lovelace' },
        ),
        identify({ userId: 'user-0002' }, { email: 'grace@navy.mil', firstName: 'Grâce' }),
        identify({ userId: 'user-0100' }, { email: 'alan@bletchley.uk', lastName: 'Turing' }),
      ],
      { now: T0 },
    );
    expect(await search('ada.LOVE')).toEqual(['user-0001']);
    expect(await search('lovelace')).toEqual(['user-0001']);
    expect(await search('grace')).toEqual(['user-0002']);
    expect(await search('user-000')).toEqual(['user-0001', 'user-0002']);
    expect(await search('tur')).toEqual(['user-0100']);
    expect(await search('a')).toEqual(['user-0001', 'user-0100']);
    expect(await search('user-0100')).toEqual(['user-0100']);
    expect(await search('navy')).toEqual([]);
    // The search reads the directory, not the contacts: without its entry a contact is not found by email.
    await contactDirectoryModel(db.connection).updateMany(
      { workspaceId: ws },
      { $pull: { entries: 'alan@bletchley.uk\tuser-0100' } },
    );
    expect(await search('alan@')).toEqual([]);
  });

  it('follows a change of email: the new one finds the contact, the old entry is pulled', async () => {
    await ingestEvents(db.connection, ws, [
      identify({ userId: 'user-0002' }, { email: 'grace.hopper@yale.edu' }),
    ]);
    expect(await search('grace.h')).toEqual(['user-0002']);
    expect(await search('grace@')).toEqual([]);
    const entries = await entriesOf(ws);
    expect(entries).toContain('grace.hopper@yale.edu\tuser-0002');
    expect(entries).not.toContain('grace@navy.mil\tuser-0002');
    // A trait set by a journey step goes the same way.
    expect(
      await updateContactTraits(db.connection, ws, 'user-0002', async (current) => ({
        ...current,
        traits: { ...current.traits, email: 'amazing.grace@cobol.org' },
      })),
    ).toBe('updated');
    expect(await search('amazing')).toEqual(['user-0002']);
    expect(await search('grace.h')).toEqual([]);
  });

  it('finds a merged contact under its survivor only, and an erased contact no more', async () => {
    await ingestEvents(db.connection, ws, [
      identify({ anonymousId: 'visitor-9' }, { email: 'mystery@shop.io' }),
    ]);
    expect(await search('mystery')).toEqual(['anon:visitor-9']);
    await ingestEvents(db.connection, ws, [
      identify({ userId: 'user-0300', anonymousId: 'visitor-9' }, { name: 'Mary Shelley' }),
    ]);
    expect(await search('mystery')).toEqual(['user-0300']);
    expect(await search('shelley')).toEqual(['user-0300']);
    expect((await entriesOf(ws)).filter((e) => e.endsWith('\tanon:visitor-9'))).toEqual([]);

    const doc = await findContact(db.connection, ws, 'user-0300', ['contactId', 'mergedFrom']);
    await eraseContact(db.connection, ws, doc!);
    expect(await search('mary')).toEqual([]);
    expect((await entriesOf(ws)).filter((e) => e.endsWith('\tuser-0300'))).toEqual([]);
  });

  it('drops entries a crash left behind: filed for a write that never happened, or for a contact that is gone', async () => {
    await ingestEvents(db.connection, ws, [
      identify({ userId: 'user-0400' }, { email: 'kept@example.org' }),
    ]);
    const before = await findContact(db.connection, ws, 'user-0400', ['traits', 'searchEntries']);
    // The fold filed the new email, then the process died before writing the contact.
    await fileInDirectory(db.connection, ws, [
      { contactId: 'user-0400', before: before!, traits: { email: 'never.written@example.org' } },
    ]);
    await fileInDirectory(db.connection, ws, [
      { contactId: 'user-0999', traits: { email: 'never.written.either@example.org' } },
    ]);
    expect(await entriesOf(ws)).toEqual(
      expect.arrayContaining([
        'never.written@example.org\tuser-0400',
        'never.written.either@example.org\tuser-0999',
      ]),
    );
    expect(await search('never')).toEqual([]);
    expect(await search('kept@')).toEqual(['user-0400']);
  });

  it('pages a search that matches more than a page, each contact once', async () => {
    const ids = Array.from({ length: 23 }, (_, i) => `pager-${String(i).padStart(2, '0')}`);
    await ingestEvents(
      db.connection,
      ws,
      ids.map((id) => identify({ userId: id }, { email: `${id}@example.com`, firstName: 'Pat' })),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await listContacts(db.connection, ws, {
        search: 'p',
        limit: 5,
        ...(cursor ? { after: cursor } : {}),
      });
      expect(page.contacts.length).toBeLessThanOrEqual(5);
      seen.push(...page.contacts.map((c) => c.contactId));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual(ids);
    await expect(
      listContacts(db.connection, ws, { search: 'p', after: 'not-a-cursor', limit: 5 }),
    ).rejects.toThrow('cursor');
  });

  it('builds the directory once for contacts stored before it, and keeps them findable when they change', async () => {
    const old = 'ws_before_directory';
    const ids = Array.from({ length: DIRECTORY_PAGE_SIZE + 20 }, (_, i) => `old-${i}`);
    await ingestEvents(
      db.connection,
      old,
      ids.map((id) => identify({ userId: id }, { email: `${id}@legacy.net`, name: 'Old Timer' })),
    );
    // As stored before the directory existed: no bookkeeping on the contacts, no pages.
    await contactModel(db.connection).updateMany(
      { workspaceId: old },
      { $unset: { searchEntries: '' } },
    );
    await contactDirectoryModel(db.connection).deleteMany({ workspaceId: old });
    // And served by processes started since, which know no pages of it and remember no contact.
    forgetDirectoryHints();
    forgetAllContacts(db.connection);

    expect(await search('old-51', old)).toEqual(
      ['old-51', ...ids.filter((id) => /^old-51\d/.test(id))].sort(),
    );
    const pages = await contactDirectoryModel(db.connection).find({ workspaceId: old }).lean();
    expect(pages.find((p) => p._id === `${old}:state`)?.complete).toBe(true);
    expect(pages.some((p) => p._id.endsWith(':b1'))).toBe(true);

    // The next search reads the pages the build wrote: a contact stored the old way since is not rebuilt in.
    await contactModel(db.connection).updateOne(
      { _id: contactKey(old, 'old-7') },
      { $set: { 'traits.email': 'moved@elsewhere.net' } },
    );
    expect(await search('moved@', old)).toEqual([]);
    expect(await search('old-7@', old)).toEqual([]);

    // A contact the build filed changes its email through a fold: found by the new one, by its name once.
    await ingestEvents(db.connection, old, [
      identify({ userId: 'old-3' }, { email: 'renewed@legacy.net' }),
    ]);
    expect(await search('renewed', old)).toEqual(['old-3']);
    const timers = await search('timer', old, 1000);
    expect(timers).toHaveLength(ids.length);
    expect(timers).toContain('old-3');
  });
});
