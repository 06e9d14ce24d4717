/** A value as a marketer reads it: a list as its items, an object as its values, nothing as JSON. */
function shown(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'object') return String(value);
  if (depth > 1) return '…';
  const parts = Array.isArray(value)
    ? value.map((v) => shown(v, depth + 1))
    : Object.values(value).map((v) => shown(v, depth + 1));
  const text = parts.join(Array.isArray(value) ? ', ' : ' · ');
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** The contact's latest events, newest first, each with its properties as name: value pairs. */
export function Timeline({
  entries,
}: {
  entries: { at: number; event: string; properties: Record<string, unknown> }[];
}) {
  return (
    <section className="card" data-testid="contact-timeline">
      <h2>Timeline</h2>
      {entries.length === 0 && <p className="muted">No events yet.</p>}
      <ul className="timeline">
        {entries.map((t, i) => (
          <li key={i}>
            <span className="muted small">{new Date(t.at).toLocaleString()}</span>{' '}
            <strong>{t.event}</strong>
            {Object.keys(t.properties).length > 0 && (
              <dl className="props small">
                {Object.entries(t.properties).map(([name, value]) => (
                  <div key={name}>
                    <dt>{name}</dt>
                    <dd title={typeof value === 'object' ? JSON.stringify(value) : undefined}>
                      {shown(value)}
                    </dd>
                  </div>
                ))}
              </dl>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
