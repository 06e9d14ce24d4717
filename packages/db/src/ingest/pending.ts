// The safety net: folds what a process that died appended and never folded.
import type { Connection } from 'mongoose';
import { findByIds } from '../by-id.js';
import { isTransientStorageError } from '../engines/index.js';
import { eventKey, eventModel, markerMessageIds, pendingFoldModel } from '../models/event.js';
import { profileSettingsOf } from '../profiles.js';
import { DEFAULT_FOLD_WITHIN_MS, type FoldCandidate, eventFromDoc } from './shared.js';
import { evaluateSegments, foldIntoContact } from './fold-contact.js';
import { foldBatch } from './fold-page.js';
import { FOLD_PAGE } from './fold.js';

/** The database itself away (a dropped connection, no server to select): retry later, never park. */
function isUnreachable(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name ?? '';
  return /Network|ServerSelection|NotConnected|TopologyClosed|PoolClosed|Timeout/.test(name);
}

/**
 * Finishes folds interrupted by a crash: every pending marker past its `foldAfter` names a stored event
 * that may not be in its profile yet. Run at start-up and periodically.
 */
export async function foldPendingEvents(
  connection: Connection,
  options: { olderThanMs?: number; now?: number; limit?: number } = {},
): Promise<number> {
  const now = options.now ?? Date.now();
  // Markers written before foldAfter existed fall back to their age.
  const cutoff = new Date(now - (options.olderThanMs ?? DEFAULT_FOLD_WITHIN_MS));
  const markers = (
    await pendingFoldModel(connection)
      .find({
        $or: [
          { foldAfter: { $lte: new Date(now) } },
          { foldAfter: { $exists: false }, createdAt: { $lte: cutoff } },
        ],
      })
      .limit(options.limit ?? 100)
      .lean()
  ).filter((m) => !m.parked);
  if (markers.length === 0) return 0;
  const Events = eventModel(connection);
  const byWorkspaceContact = new Map<
    string,
    { workspaceId: string; contactId: string; candidates: FoldCandidate[] }
  >();
  for (const marker of markers) {
    // A one-event marker from before batches is keyed by its event; a batch lists its events.
    const listed = markerMessageIds(marker);
    const ids = listed ? listed.map((id) => eventKey(marker.workspaceId, id)) : [marker._id];
    const docs = await findByIds(connection, Events, ids);
    for (const doc of docs) {
      // Folded on behalf of the request that inserted it; a duplicate this request only listed is not its to fold.
      if (!doc || (listed && doc.foldBatch !== marker._id)) continue;
      const key = `${doc.workspaceId}\u0000${doc.contactId}`;
      const entry = byWorkspaceContact.get(key) ?? {
        workspaceId: doc.workspaceId,
        contactId: doc.contactId,
        candidates: [],
      };
      entry.candidates.push({ event: eventFromDoc(doc), eligible: true, marker: marker._id });
      byWorkspaceContact.set(key, entry);
    }
  }
  let folded = 0;
  const failed = new Map<string, { contactIds: string[]; reason: string }>();
  const byWorkspace = new Map<string, [string, FoldCandidate[]][]>();
  for (const { workspaceId, contactId, candidates } of byWorkspaceContact.values())
    byWorkspace.set(workspaceId, [
      ...(byWorkspace.get(workspaceId) ?? []),
      [contactId, candidates],
    ]);
  for (const [workspaceId, entries] of byWorkspace) {
    const settings = await profileSettingsOf(connection, workspaceId);
    for (let i = 0; i < entries.length; i += FOLD_PAGE) {
      const page = entries.slice(i, i + FOLD_PAGE);
      // The whole page in one batch, as the live path folds it; if that fails, contact by contact, so the
      // one that cannot be folded is found and parked and the others go on.
      try {
        const evaluatedInline = new Set<string>();
        const applied = await foldBatch(
          connection,
          workspaceId,
          new Map(page),
          settings,
          now,
          evaluatedInline,
        );
        for (const [contactId, list] of applied) {
          folded += list.length;
          if (!evaluatedInline.has(contactId))
            await evaluateSegments(connection, workspaceId, contactId, now);
        }
        continue;
      } catch (error) {
        if (isTransientStorageError(error) || isUnreachable(error)) throw error;
      }
      for (const [contactId, candidates] of page) {
        try {
          const applied = await foldIntoContact(
            connection,
            workspaceId,
            contactId,
            candidates,
            settings,
            now,
          );
          folded += applied.length;
          if (applied.length) await evaluateSegments(connection, workspaceId, contactId, now);
        } catch (error) {
          // The database away is no reason to park anything: the next pass tries again.
          if (isTransientStorageError(error) || isUnreachable(error)) throw error;
          // One contact's events that cannot be folded never hold up the others, and are not retried forever.
          const reason = error instanceof Error ? error.message : String(error);
          for (const marker of new Set(
            candidates.map((c) => c.marker).filter((m): m is string => m !== undefined),
          )) {
            const entry = failed.get(marker) ?? { contactIds: [], reason };
            entry.contactIds.push(contactId);
            failed.set(marker, entry);
          }
        }
      }
    }
  }
  for (const marker of markers) {
    const failure = failed.get(marker._id);
    if (failure) {
      // Kept (so contacts already folded from it keep skipping it) but parked: see parkedFolds / retryParkedFolds.
      await pendingFoldModel(connection).updateOne(
        { _id: marker._id },
        {
          $set: {
            parked: {
              at: new Date(now),
              reason: failure.reason.slice(0, 500),
              contactIds: failure.contactIds,
            },
          },
        },
      );
    } else {
      // Events a marker lists but the log lacks: the crash came before they were stored and the client got no 200.
      await pendingFoldModel(connection).deleteOne({ _id: marker._id });
    }
  }
  return folded;
}
