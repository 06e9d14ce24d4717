// Stage 2, append: identities resolved, one pending-fold marker per request, the events stored once.
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { type CairnEvent } from '@cairn/core';
import { traced } from '../fold-trace.js';
import { findByIds } from '../by-id.js';
import { insertNew, upsertRacing } from '../connection.js';
import { ANONYMOUS_PREFIX } from '../models/contact.js';
import { encodeDocumentKeys } from '../keys.js';
import { eventKey, eventModel, pendingFoldModel } from '../models/event.js';
import { identityModel } from '../models/identity.js';
import { recordEventSchemas } from '../models/event-schema.js';
import { forEachWithLimit } from '../segments/limit.js';
import {
  type IngestOptions,
  DEFAULT_FOLD_WITHIN_MS,
  type FoldCandidate,
  type StoredEvents,
} from './shared.js';

class IdentityResolver {
  /** anonymousId → its contact, or undefined once known to have none. */
  private readonly cache = new Map<string, string | undefined>();
  /** Contacts to merge: anonymous (or aliased) contact id → identified contact id. */
  readonly merges = new Map<string, string>();

  constructor(
    private readonly connection: Connection,
    private readonly workspaceId: string,
  ) {}

  /** Reads the identities a request names in parallel, so resolving its events one by one is all in memory. */
  async prefetch(events: CairnEvent[]): Promise<void> {
    const wanted = [
      ...new Set(
        events
          .flatMap((e) => [e.anonymousId, e.type === 'alias' ? e.previousId : undefined])
          .filter((id): id is string => !!id && !this.cache.has(id)),
      ),
    ];
    const Identities = identityModel(this.connection);
    const docs = await findByIds(
      this.connection,
      Identities,
      wanted.map((id) => `${this.workspaceId}:${id}`),
    );
    wanted.forEach((id, i) => this.cache.set(id, docs[i]?.contactId));
  }

  private async lookup(anonymousId: string): Promise<string | undefined> {
    if (this.cache.has(anonymousId)) return this.cache.get(anonymousId);
    const doc = await identityModel(this.connection)
      .findById(`${this.workspaceId}:${anonymousId}`)
      .lean();
    if (doc) this.cache.set(anonymousId, doc.contactId);
    return doc?.contactId;
  }

  /** Links decided while resolving, written together by `flush` (the last one per anonymous id wins). */
  private readonly links = new Map<string, string>();

  private async link(anonymousId: string, contactId: string, mergeFrom: string): Promise<void> {
    const known = await this.lookup(anonymousId);
    if (known === contactId) return;
    this.links.set(anonymousId, contactId);
    this.cache.set(anonymousId, contactId);
    const from = known ?? mergeFrom;
    if (from !== contactId) this.merges.set(from, contactId);
  }

  /**
   * Writes the links this request made before its events are stored: new ones in one insert, and those that
   * exist already (re-pointed, or inserted by a concurrent request) updated one by one.
   */
  async flush(): Promise<void> {
    const Identities = identityModel(this.connection);
    const docs = [...this.links].map(([anonymousId, contactId]) => ({
      _id: `${this.workspaceId}:${anonymousId}`,
      workspaceId: this.workspaceId,
      anonymousId,
      contactId,
      createdAt: new Date(),
    }));
    this.links.clear();
    const inserted = await insertNew(
      (batch) => Identities.insertMany(batch, { ordered: false, lean: true }),
      docs,
    );
    await forEachWithLimit(
      docs.filter((_, i) => !inserted[i]),
      16,
      ({ _id, ...fields }) =>
        // Two batches naming the same new anonymous id race to insert it; the loser retries as an update.
        upsertRacing(() => Identities.updateOne({ _id }, { $set: fields }, { upsert: true })).then(
          () => undefined,
        ),
    );
  }

  async contactOf(event: CairnEvent): Promise<string> {
    if (event.type === 'alias' && event.previousId && event.userId) {
      // alias: everything known under previousId now belongs to userId.
      await this.link(event.previousId, event.userId, event.previousId);
      return event.userId;
    }
    if (event.userId) {
      if (event.anonymousId)
        await this.link(event.anonymousId, event.userId, ANONYMOUS_PREFIX + event.anonymousId);
      return event.userId;
    }
    const anonymousId = event.anonymousId as string;
    return (await this.lookup(anonymousId)) ?? ANONYMOUS_PREFIX + anonymousId;
  }
}

/**
 * Step one of ingestion: resolves identities, leaves a pending-fold marker per event, then stores the
 * events (deduplicated by messageId). From here on an event is durable: if the process dies before
 * foldStoredEvents, foldPendingEvents folds it later.
 */
export async function storeEvents(
  connection: Connection,
  workspaceId: string,
  events: CairnEvent[],
  options: IngestOptions = {},
): Promise<StoredEvents> {
  const now = options.now ?? Date.now();
  const resolver = new IdentityResolver(connection, workspaceId);
  const contactIds: string[] = [];
  await traced('identities', events.length, async () => {
    await resolver.prefetch(events);
    for (const event of events) contactIds.push(await resolver.contactOf(event));
    await resolver.flush();
  });

  // One marker for the request, written before its events: from here a crash leaves them to the sweeper.
  const marker = {
    _id: `${workspaceId}:fold:${randomUUID()}`,
    workspaceId,
    ids: JSON.stringify(events.map((e) => e.messageId)),
    count: events.length,
    createdAt: new Date(now),
    foldAfter: new Date(now + (options.foldWithinMs ?? DEFAULT_FOLD_WITHIN_MS)),
  };
  if (events.length)
    await traced('appendMarker', 1, () =>
      pendingFoldModel(connection).insertMany([marker], { lean: true }),
    );
  const eventDocs = events.map((event, i) => ({
    ...encodeDocumentKeys(event),
    _id: eventKey(workspaceId, event.messageId),
    workspaceId,
    contactId: contactIds[i] as string,
    foldBatch: marker._id,
  }));
  const eventIsNew = await traced('appendEvents', eventDocs.length, () =>
    // Lean: the events are normalized and every field typed already; building a mongoose document per event
    // to cast and validate them again was about a fifth of the API's CPU under ingest (decision 036).
    insertNew(
      (docs) => eventModel(connection).insertMany(docs, { ordered: false, lean: true }),
      eventDocs,
    ),
  );

  await traced('eventSchemas', events.length, () =>
    recordEventSchemas(
      connection,
      workspaceId,
      events.filter((_, i) => eventIsNew[i]),
    ),
  );

  const byContact = new Map<string, FoldCandidate[]>();
  events.forEach((event, i) => {
    // A duplicate was stored by an earlier request, whose fold (or the sweeper on its marker) folds it.
    const eligible = eventIsNew[i] ?? false;
    const list = byContact.get(contactIds[i] as string) ?? [];
    list.push({ event, eligible, marker: marker._id });
    byContact.set(contactIds[i] as string, list);
  });
  const stored = eventIsNew.filter(Boolean).length;
  // Nothing new to fold: the marker has done its job already.
  if (events.length && stored === 0)
    await pendingFoldModel(connection).deleteOne({ _id: marker._id });
  return {
    workspaceId,
    byContact,
    merges: resolver.merges,
    markerIds: events.length && stored > 0 ? [marker._id] : [],
    stored,
    duplicates: events.length - stored,
    events: events.length,
  };
}
