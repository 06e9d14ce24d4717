export type Series = { name: string; color: string; values: number[] };

/** One row per label with each series' value under its name: the shape a charting library plots. */
export function chartRows(labels: string[], series: Series[]): Record<string, string | number>[] {
  return labels.map((label, i) => {
    const row: Record<string, string | number> = { label };
    for (const s of series) row[s.name] = s.values[i] ?? 0;
    return row;
  });
}

/** "2026-12-06" → "Dec 6": short enough for an axis tick; other labels pass through. */
export function shortDay(label: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(label);
  if (!m) return label;
  const month = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  return `${month[Number(m[2]) - 1]} ${Number(m[3])}`;
}

/** "42%" of a part, or "—" when nothing was sent to compare with. */
export function rate(part: number | undefined, whole: number | undefined): string {
  if (!whole || part === undefined) return '—';
  return `${Math.round((part / whole) * 1000) / 10}%`;
}
