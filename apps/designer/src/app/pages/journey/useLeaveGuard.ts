import { useEffect, useRef, useState } from 'react';

/**
 * Stops the marketer from leaving with unsaved changes: closing or reloading the tab asks the browser's
 * own question; moving elsewhere in the app (a link, the back button) is held so the editor can ask.
 * Leaving the app altogether is covered by the browser's question and the edits kept on this computer.
 */
export function useLeaveGuard(unsaved: boolean) {
  const [heldAt, setHeldAt] = useState<string | null>(null);
  const guarding = useRef(unsaved);
  // Once the marketer chose to leave, nothing holds them again (the hashchange arrives after a render).
  const leaving = useRef(false);
  guarding.current = unsaved && !leaving.current;

  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!guarding.current) return;
      e.preventDefault();
      // Older Chromium shows the prompt only when returnValue is set.
      e.returnValue = '';
    };
    // wouter's hash router follows hashchange, and its listener runs before any the editor could add,
    // so the moves are held before that event: a click on an in-app link, and Back, Forward or a typed
    // #address (popstate comes before hashchange; with the editor's address put back the router sees no move).
    const onClick = (e: MouseEvent) => {
      if (!guarding.current || e.defaultPrevented || e.button !== 0) return;
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return; // a new tab leaves nothing behind
      const link = (e.target as Element | null)?.closest?.('a[href^="#/"]');
      if (!link || (link as HTMLAnchorElement).target) return;
      const to = (link as HTMLAnchorElement).href;
      if (to === location.href) return;
      e.preventDefault();
      setHeldAt(to);
    };
    const editorAt = location.href;
    const onPopState = () => {
      if (!guarding.current || location.href === editorAt) return;
      const to = location.href;
      history.replaceState(history.state, '', editorAt);
      setHeldAt(to);
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('click', onClick, true);
    window.addEventListener('popstate', onPopState);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
      window.removeEventListener('popstate', onPopState);
    };
  }, []);

  return {
    /** Where the marketer was going when they were held, or null. */
    heldAt,
    stay: () => setHeldAt(null),
    /** Goes where the marketer was going, without asking again. */
    leave: () => {
      const to = heldAt;
      leaving.current = true;
      guarding.current = false;
      setHeldAt(null);
      if (to) location.assign(to);
    },
  };
}

export type LeaveGuard = ReturnType<typeof useLeaveGuard>;
