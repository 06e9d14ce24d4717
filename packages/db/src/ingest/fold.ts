// Stages 3 to 5 for what one request (or import window) stored: merges, pages of folds, markers cleared.
import type { Connection } from 'mongoose';
import { type CairnEvent } from '@cairn/core';
import { traced } from '../fold-trace.js';
import { deleteByIds, findByIds } from '../by-id.js';
import { engineOf } from '../connection.js';
import { contactKey, contactModel } from '../models/contact.js';
import { pendingFoldModel } from '../models/event.js';
import { profileSettingsOf } from '../profiles.js';
import { forEachWithLimit } from '../segments/limit.js';
import {
  type IngestOptions,
  type IngestReport,
  type FoldCandidate,
  type StoredEvents,
} from './shared.js';
import { storeEvents } from './append.js';
import { evaluateSegments, runPerContact } from './fold-contact.js';
import { mergeContacts, planMerges, finishMerges } from './merge.js';
import { foldBatch } from './fold-page.js';

/** How many contacts foldStoredEvents folds in one batch write. */
export const FOLD_PAGE = 200;
/** Pages folded at once by one pass where the engine runs writes side by side. */
const PAGES_IN_FLIGHT = 3;
/** With one writer (SQLite), two: one page's reads and CPU overlap the other's writes (decision 036). */
const PAGES_IN_FLIGHT_ONE_WRITER = 2;

/**
 * Step two: folds stored events into their contacts (with segment evaluation in the same write), runs
 * the identity merges found while storing, clears the markers, and lets segment listeners see the
 * contacts that changed.
 */
export async function foldStoredEvents(
  connection: Connection,
  stored: StoredEvents,
  options: IngestOptions & { onProgress?: (folded: number) => void } = {},
): Promise<IngestReport> {
  const now = options.now ?? Date.now();
  const { workspaceId } = stored;
  const settings = await profileSettingsOf(connection, workspaceId);
  const evaluatedInline = new Set<string>();
  const changed = new Set<string>();

  const folds = new Map<string, CairnEvent[]>();
  // Pages hold distinct contacts, so a few run at once: one page's round trips fill the other's waits.
  const foldAll = async (entries: [string, FoldCandidate[]][], merging?: Map<string, string[]>) => {
    const pages: [string, FoldCandidate[]][][] = [];
    for (let i = 0; i < entries.length; i += FOLD_PAGE) pages.push(entries.slice(i, i + FOLD_PAGE));
    await forEachWithLimit(
      pages,
      engineOf(connection)?.capabilities.concurrentWrites === false
        ? PAGES_IN_FLIGHT_ONE_WRITER
        : PAGES_IN_FLIGHT,
      async (entriesOfPage) => {
        const page = await foldBatch(
          connection,
          workspaceId,
          new Map(entriesOfPage),
          settings,
          now,
          evaluatedInline,
          merging,
        );
        for (const [contactId, list] of page) folds.set(contactId, list);
        options.onProgress?.([...page.values()].reduce((n, list) => n + list.length, 0));
      },
    );
  };
  const sources = new Set(stored.merges.keys());
  const chained = [...stored.merges.values()].some((into) => sources.has(into));
  // A contact first seen in the batch that merges it (an SDK's anonymous events and its identify, sent
  // together) never gets a document of its own: its events go straight into the survivor's fold, instead
  // of a contact written, read back and deleted in the same pass.
  const unseen = new Set<string>();
  if (!chained && sources.size > 0) {
    const candidates = [...sources].filter((id) => stored.byContact.has(id));
    const docs = await traced('planMerges', 0, () =>
      findByIds(
        connection,
        contactModel(connection),
        candidates.map((id) => contactKey(workspaceId, id)),
        { _id: 1 },
      ),
    );
    candidates.forEach((id, i) => docs[i] === null && unseen.add(id));
  }
  // Contacts about to be merged away are folded first, so their events move with their history.
  await foldAll([...stored.byContact].filter(([id]) => sources.has(id) && !unseen.has(id)));
  const rest = new Map([...stored.byContact].filter(([id]) => !sources.has(id)));
  if (chained) {
    // A chain (a into b, b into c): one merge at a time, in the order found, then the batch.
    for (const [from, into] of stored.merges) {
      if (await mergeContacts(connection, workspaceId, from, into, settings, now))
        changed.add(into);
    }
    await foldAll([...rest]);
  } else {
    // Each merged contact's history joins its survivor's fold in the batch below: one write per survivor,
    // segments evaluated in it; the merged contacts go once their survivors are written.
    const plan = await traced('planMerges', stored.merges.size, () =>
      planMerges(
        connection,
        workspaceId,
        new Map([...stored.merges].filter(([from]) => !unseen.has(from))),
      ),
    );
    for (const from of unseen) {
      const into = stored.merges.get(from) as string;
      const entry = plan.byInto.get(into) ?? { candidates: [], mergedFrom: [] };
      for (const c of stored.byContact.get(from) ?? [])
        entry.candidates.push({ ...c, mergedFrom: from });
      entry.mergedFrom.push(from);
      plan.byInto.set(into, entry);
    }
    for (const [into, { candidates }] of plan.byInto)
      rest.set(into, [...(rest.get(into) ?? []), ...candidates]);
    await foldAll([...rest], new Map([...plan.byInto].map(([into, m]) => [into, m.mergedFrom])));
    await traced('finishMerges', plan.merged.length, () =>
      finishMerges(connection, workspaceId, plan.merged),
    );
    for (const into of plan.byInto.keys()) changed.add(into);
  }
  // One marker per request, deleted by `_id`.
  await traced('deleteMarkers', stored.markerIds.length, () =>
    deleteByIds(connection, pendingFoldModel(connection), stored.markerIds),
  );
  for (const contactId of folds.keys()) changed.add(contactId);
  const folded = [...folds.values()].reduce((n, list) => n + list.length, 0);

  const toEvaluate = [...changed].filter((id) => !evaluatedInline.has(id));
  await traced('evaluate', toEvaluate.length, () =>
    runPerContact(
      toEvaluate.map((id) => [id, null]),
      4,
      async (contactId) => {
        await evaluateSegments(connection, workspaceId, contactId, now);
      },
    ),
  );
  return { stored: stored.stored, duplicates: stored.duplicates, folded, contacts: [...changed] };
}

/**
 * Stores events durably (deduplicated by messageId) and folds them into their contacts' profiles,
 * exactly once per event even across retries and crashes. Events must already be normalized.
 */
export async function ingestEvents(
  connection: Connection,
  workspaceId: string,
  events: CairnEvent[],
  options: IngestOptions = {},
): Promise<IngestReport> {
  const now = options.now ?? Date.now();
  return foldStoredEvents(connection, await storeEvents(connection, workspaceId, events, { now }), {
    now,
  });
}
