import type { JourneyDefinition } from '@cairn/core';

/**
 * What the editor keeps on this computer while a journey has unsaved changes, so a closed tab or a
 * crash loses nothing. Pure decisions here; the editor does the reading and writing of localStorage.
 */
export type LocalDraft = {
  /** ISO time of the last edit kept. */
  savedAt: string;
  /** `journeyContent` of the server draft the edits started from: tells whether someone saved since. */
  base: string;
  definition: JourneyDefinition;
};

export type RestoreOffer = {
  definition: JourneyDefinition;
  savedAt: string;
  /** The server's draft changed after these edits began: restoring replaces that newer save. */
  serverChanged: boolean;
};

export function localDraftKey(workspaceId: string, journeyId: string): string {
  return `cairn.journey-draft.${workspaceId}.${journeyId}`;
}

/**
 * The journey as a string that ignores where steps sit on the canvas: opening a journey that is laid out
 * on the spot, or pressing Auto-layout, moves steps but changes nothing a contact would go through.
 * Object keys are sorted, so a server that answers with keys in another order is not a change.
 */
export function journeyContent(definition: JourneyDefinition): string {
  return JSON.stringify(definition, (key, value: unknown) => {
    if (key === 'position') return undefined;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(record)
          .sort()
          .map((k) => [k, record[k]]),
      );
    }
    return value;
  });
}

/** Reads what localStorage held; anything unreadable (an old format, a hand edit) counts as nothing. */
export function parseLocalDraft(raw: string | null): LocalDraft | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<LocalDraft>;
    const definition = value.definition;
    if (
      typeof value.savedAt !== 'string' ||
      typeof value.base !== 'string' ||
      !definition ||
      !Array.isArray(definition.nodes) ||
      !Array.isArray(definition.edges) ||
      typeof definition.settings !== 'object'
    )
      return undefined;
    return { savedAt: value.savedAt, base: value.base, definition };
  } catch {
    return undefined;
  }
}

/** What to offer when the journey opens: the kept edits, unless they say nothing the server does not. */
export function restoreOffer(
  kept: LocalDraft | undefined,
  serverDraft: JourneyDefinition,
): RestoreOffer | undefined {
  if (!kept) return undefined;
  const server = journeyContent(serverDraft);
  if (journeyContent(kept.definition) === server) return undefined;
  return {
    definition: kept.definition,
    savedAt: kept.savedAt,
    serverChanged: kept.base !== server,
  };
}

/**
 * What to do with the kept copy after an edit: keep the latest unsaved edits, forget them once saved
 * (or undone), and leave an offered copy alone until the marketer restores or discards it.
 */
export function localDraftStep(state: {
  unsaved: boolean;
  offerPending: boolean;
}): 'write' | 'remove' | 'leave' {
  if (state.offerPending) return 'leave';
  return state.unsaved ? 'write' : 'remove';
}

/** "2 minutes ago"-style age of a kept draft, for the restore banner. */
export function keptAgo(savedAt: string, now: Date): string {
  const minutes = Math.round((now.getTime() - new Date(savedAt).getTime()) / 60_000);
  if (!(minutes >= 1)) return 'moments ago';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  return `${Math.round(hours / 24)} days ago`;
}
