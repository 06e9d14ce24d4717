/** A segment by name; an id the list lacks (deleted, or not loaded) stays shown as itself. */
export function SegmentPicker({
  value,
  segments,
  onChange,
  testId,
}: {
  value: string;
  segments: { id: string; name: string }[];
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
          {s.name}
        </option>
      ))}
    </select>
  );
}
