// Checks a hand-typed event or property name against what the workspace has actually received.

/** "Order Completed", "order_completed" and "order-completed" are the same words to a reader. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/** Edit distance, cut short once it exceeds `limit` (names are short, catalogs a few hundred long). */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known name a typed one most likely meant: the same words in another case or separator first,
 * then the closest spelling within about a third of its length; undefined when nothing is close.
 */
export function nearestName(typed: string, known: readonly string[]): string | undefined {
  const target = normalise(typed);
  if (!target) return undefined;
  const limit = Math.max(1, Math.floor(target.length / 3));
  let best: { name: string; score: number } | undefined;
  for (const name of known) {
    if (name === typed) return undefined;
    const candidate = normalise(name);
    const score = candidate === target ? 0 : distance(target, candidate, limit);
    if (score <= limit && (!best || score < best.score)) best = { name, score };
  }
  return best?.name;
}

export type NameWarning = { message: string; suggestion?: string };

/**
 * A warning for a name the workspace has never received; undefined when it is known, empty, or the
 * catalog is unknown. Never an error: events may legitimately be wired before the first one arrives.
 */
export function unseenNameWarning(
  typed: string,
  known: readonly string[] | undefined,
  what: 'event' | 'property' = 'event',
): NameWarning | undefined {
  const name = typed.trim();
  if (!name || !known || known.includes(name)) return undefined;
  const suggestion = nearestName(name, known);
  const arrived = what === 'event' ? 'has arrived yet' : 'has been seen on this event yet';
  const message = `No ${what} named “${name}” ${arrived}${suggestion ? `; did you mean “${suggestion}”?` : '.'}`;
  return suggestion ? { message, suggestion } : { message };
}
