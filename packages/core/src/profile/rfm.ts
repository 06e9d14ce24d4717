export interface RfmInput {
  contactId: string;
  /** Days since the last order (lower is better). */
  recencyDays: number;
  /** Number of orders (higher is better). */
  frequency: number;
  /** Revenue (higher is better). */
  monetary: number;
}

export interface RfmScoreRow {
  contactId: string;
  recency: number;
  frequency: number;
  monetary: number;
  /** recency + frequency + monetary, 3–15. */
  total: number;
}

/** Sorted copy, ascending. */
function sorted(xs: number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Number of entries ≤ x in an ascending list. */
function countAtMost(list: number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Quintile scores 1–5 (5 = best) for recency, frequency and monetary value.
 * A contact's score is ceil(5 × share of contacts it equals or beats), so equal values always get equal scores
 * and the best contact gets 5.
 */
export function computeRfmScores(rows: readonly RfmInput[]): RfmScoreRow[] {
  const n = rows.length;
  if (n === 0) return [];
  // Recency: fewer days is better, so rank on the negated value.
  const recency = sorted(rows.map((r) => -r.recencyDays));
  const frequency = sorted(rows.map((r) => r.frequency));
  const monetary = sorted(rows.map((r) => r.monetary));
  const score = (list: number[], x: number) =>
    Math.max(1, Math.min(5, Math.ceil((5 * countAtMost(list, x)) / n)));
  return rows.map((r) => {
    const rs = score(recency, -r.recencyDays);
    const fs = score(frequency, r.frequency);
    const ms = score(monetary, r.monetary);
    return {
      contactId: r.contactId,
      recency: rs,
      frequency: fs,
      monetary: ms,
      total: rs + fs + ms,
    };
  });
}
