import { useEffect, useRef, useState } from 'react';

/**
 * Stops the marketer from leaving with unsaved changes: closing or reloading the tab asks the browser's
 * own question; moving elsewhere in the app (a link, the back button) is held so the editor can ask.
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
    // The router (wouter's hash location) listens to hashchange on window without capture; a capture
    // listener on the target runs first, so the route never sees a move the marketer has not confirmed.
    const onHashChange = (e: HashChangeEvent) => {
      if (!guarding.current) return;
      e.stopImmediatePropagation();
      history.replaceState(history.state, '', e.oldURL);
      setHeldAt(e.newURL);
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    window.addEventListener('hashchange', onHashChange, { capture: true });
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      window.removeEventListener('hashchange', onHashChange, { capture: true });
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
