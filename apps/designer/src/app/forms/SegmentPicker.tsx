export type SegmentChoice = { id: string; name: string; memberCount?: number };

/** "At-risk buyers (1,204)": how many are in it now helps pick the right one. */
export function segmentOptionLabel(s: SegmentChoice): string {
  return s.memberCount === undefined
    ? s.name
    : `${s.name} (${s.memberCount.toLocaleString('en')} ${s.memberCount === 1 ? 'member' : 'members'})`;
}

/** A segment by name and size; an id the list lacks (deleted, or not loaded) stays shown as itself. */
export function SegmentPicker({
  value,
  segments,
  onChange,
  testId,
}: {
  value: string;
  segments: SegmentChoice[];
  onChange: (id: string) => void;
  testId?: string;
}) {
  const known = segments.some((s) => s.id === value);
  return (
    <select value={value} data-testid={testId} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose a segment…</option>
      {!known && value && <option value={value}>{value}</option>}
      {segments.map((s) => (
        <option key={s.id} value={s.id}>
          {segmentOptionLabel(s)}
        </option>
      ))}
    </select>
  );
}
