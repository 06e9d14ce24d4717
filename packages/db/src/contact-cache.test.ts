import { emptyProfile } from '@cairn/core';
import { ContactCache, contactCacheSize, type CachedContact } from './contact-cache.js';
import type { ContactDoc } from './models/contact.js';

const entry = (id: string, createdAt: unknown = new Date(0)): CachedContact => ({
  doc: { _id: id, contactId: id, rev: 1, createdAt } as unknown as ContactDoc,
  profile: emptyProfile(id),
});

describe('ContactCache', () => {
  it('lets the least recently used contact go first when full', () => {
    const cache = new ContactCache(2);
    cache.set('a', entry('a'));
    cache.set('b', entry('b'));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('c', entry('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.doc.contactId).toBe('a');
    expect(cache.get('c')?.doc.contactId).toBe('c');
    expect(cache.size).toBe(2);
  });

  it('keeps nothing it could not guard: no creation instant, or a size of 0', () => {
    const cache = new ContactCache(10);
    cache.set('old', entry('old', null));
    expect(cache.get('old')).toBeUndefined();
    const off = new ContactCache(0);
    off.set('a', entry('a'));
    expect(off.get('a')).toBeUndefined();
  });

  it('forgets what another writer changed', () => {
    const cache = new ContactCache(10);
    cache.set('a', entry('a'));
    cache.set('b', entry('b'));
    cache.forget(['a', 'missing']);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
  });

  it('reads its size from CAIRN_CONTACT_CACHE and names the variable when the value is wrong', () => {
    expect(contactCacheSize({})).toBe(10_000);
    expect(contactCacheSize({ CAIRN_CONTACT_CACHE: '0' })).toBe(0);
    expect(contactCacheSize({ CAIRN_CONTACT_CACHE: '2500' })).toBe(2500);
    expect(() => contactCacheSize({ CAIRN_CONTACT_CACHE: 'lots' })).toThrow(/CAIRN_CONTACT_CACHE/);
    expect(() => contactCacheSize({ CAIRN_CONTACT_CACHE: '-1' })).toThrow(/whole number/);
  });
});
