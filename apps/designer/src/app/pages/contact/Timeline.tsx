import { showValue, valueTitle } from '../../show-value.js';

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
                    <dd title={valueTitle(value)}>{showValue(value)}</dd>
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
