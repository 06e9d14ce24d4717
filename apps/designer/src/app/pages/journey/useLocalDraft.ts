import { useEffect, useRef, useState } from 'react';
import type { JourneyDefinition } from '@cairn/core';
import {
  localDraftKey,
  localDraftStep,
  parseLocalDraft,
  restoreOffer,
} from '../../../graph/local-draft.js';
import type { RestoreOffer } from '../../../graph/local-draft.js';

// Serialising a large journey costs milliseconds: keep a copy once typing pauses, not on every keystroke.
const WRITE_DELAY_MS = 400;

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the journey's unsaved edits in localStorage (per workspace and journey) and, when the journey
 * opens with edits kept from before, offers them back until the marketer restores or discards them.
 */
export function useLocalDraft({
  workspaceId,
  journeyId,
  serverDraft,
  definition,
  unsaved,
  savedContent,
}: {
  workspaceId: string | undefined;
  journeyId: string;
  /** The draft as the server had it when the editor opened. */
  serverDraft: JourneyDefinition;
  definition: JourneyDefinition;
  unsaved: boolean;
  /** `journeyContent` of the last saved draft: the base the kept edits started from. */
  savedContent: string;
}) {
  const key = workspaceId ? localDraftKey(workspaceId, journeyId) : undefined;
  // Read once, when the workspace is known (after a reload it arrives a moment after the journey).
  const [offer, setOffer] = useState<{ key: string; offer: RestoreOffer } | null | undefined>();
  useEffect(() => {
    if (!key || offer !== undefined) return;
    const kept = restoreOffer(parseLocalDraft(storage()?.getItem(key) ?? null), serverDraft);
    setOffer(kept ? { key, offer: kept } : null);
  }, [key, offer, serverDraft]);

  // The copy not yet written; written when typing pauses, and at once when the editor or the tab closes.
  const pending = useRef<(() => void) | null>(null);
  const flush = () => {
    pending.current?.();
    pending.current = null;
  };
  useEffect(() => {
    if (!key || offer === undefined) return;
    const step = localDraftStep({ unsaved, offerPending: offer !== null });
    pending.current = null;
    if (step === 'leave') return;
    if (step === 'remove') {
      storage()?.removeItem(key);
      return;
    }
    pending.current = () => {
      const kept = { savedAt: new Date().toISOString(), base: savedContent, definition };
      try {
        storage()?.setItem(key, JSON.stringify(kept));
      } catch {
        // A full storage quota only costs the safety copy; the editor itself keeps working.
      }
    };
    const timer = setTimeout(flush, WRITE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [key, offer, unsaved, definition, savedContent]);
  useEffect(() => {
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, []);

  return {
    offer: offer?.offer ?? null,
    /** The marketer took the kept edits: they are now the canvas's unsaved edits, kept as they change. */
    accept: () => setOffer(null),
    /** The marketer threw the kept edits away. */
    discard: () => {
      if (key) storage()?.removeItem(key);
      setOffer(null);
    },
    /** Unsaved edits abandoned on purpose (leaving without saving): nothing to offer next time. */
    forget: () => {
      pending.current = null;
      if (key) storage()?.removeItem(key);
    },
  };
}

export type LocalDraftState = ReturnType<typeof useLocalDraft>;
