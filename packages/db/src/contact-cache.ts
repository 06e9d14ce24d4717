// The fold's memory of the contacts it wrote last (decision 037): a page of events for contacts folded a
// moment ago skips reading their documents and activity back, and is guarded as if it had read them.
import type { Connection } from 'mongoose';
import type { ContactProfile } from '@cairn/core';
import type { ContactDoc } from './models/contact.js';

/** A contact as this process last wrote it: the document's fields and the whole profile they pack. */
export interface CachedContact {
  doc: ContactDoc;
  profile: ContactProfile;
}

/**
 * How many contacts each connection remembers (`CAIRN_CONTACT_CACHE`, 0 turns it off). About 10 KB each
 * for a demo-shaped contact, so the default costs ~100 MB at most.
 */
export function contactCacheSize(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CAIRN_CONTACT_CACHE;
  if (raw === undefined || raw.trim() === '') return 10_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(
      `CAIRN_CONTACT_CACHE must be a whole number of contacts (0 turns the cache off), not "${raw}"`,
    );
  return n;
}

/**
 * Least recently used first out. An entry is trusted only through the write it guards: every writer of a
 * contact bumps `rev`, and the fold writes on `{ rev, createdAt }` as remembered, so an entry another
 * writer (or process) has overtaken fails its write and the contact is read afresh. Entries are never
 * handed out for mutation: the fold copies a profile before folding into it.
 */
export class ContactCache {
  private readonly entries = new Map<string, CachedContact>();

  constructor(readonly capacity: number) {}

  get(id: string): CachedContact | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  /** Remembers a contact as just written; one without a creation instant cannot be guarded, so is not kept. */
  set(id: string, entry: CachedContact): void {
    if (this.capacity === 0 || !(entry.doc.createdAt instanceof Date)) return;
    this.entries.delete(id);
    this.entries.set(id, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  forget(ids: Iterable<string>): void {
    for (const id of ids) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}

const caches = new WeakMap<Connection, ContactCache>();

export function contactCache(connection: Connection): ContactCache {
  let cache = caches.get(connection);
  if (!cache) {
    cache = new ContactCache(contactCacheSize());
    caches.set(connection, cache);
  }
  return cache;
}

/** For writers other than the fold: the contacts they changed are read afresh by the next fold. */
export function forgetContacts(connection: Connection, ids: Iterable<string>): void {
  caches.get(connection)?.forget(ids);
}

/** Forgets every contact this process remembers for a connection (as a process started afresh knows none). */
export function forgetAllContacts(connection: Connection): void {
  caches.delete(connection);
}
