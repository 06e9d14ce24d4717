import { useState } from 'react';
import { ErrorBox } from '../ErrorBox.js';
import { LoadFailed } from '../NotFound.js';
import { useContact, useContacts, useIngestionLag } from '../../api/queries.js';
import { navigate } from '../session.js';
import { contactName } from '../contact-name.js';
import { showValue, valueTitle } from '../show-value.js';
import { RunNow } from './contact/RunNow.js';
import { ProfileCard } from './contact/ProfileCard.js';
import { Timeline } from './contact/Timeline.js';

/** Whether profiles are up to date with the events sent: folding runs just behind ingestion. */
function FoldLag() {
  const lag = useIngestionLag();
  if (!lag.data) return null;
  const { unfoldedEvents, foldLagMs } = lag.data;
  return (
    <span
      className="muted fold-lag"
      data-testid="fold-lag"
      title="Events are stored first and folded into profiles just after"
    >
      {unfoldedEvents === 0
        ? 'Profiles are up to date'
        : `Folding ${unfoldedEvents} event${unfoldedEvents === 1 ? '' : 's'} into profiles, ${(foldLagMs / 1000).toFixed(1)} s behind`}
    </span>
  );
}

export function ContactsList() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const page = useContacts(search, cursor);
  return (
    <div className="page">
      <header className="page-header">
        <h1>Contacts</h1>
        <FoldLag />
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setCursor(undefined);
            setSearch(q.trim());
          }}
        >
          <input
            placeholder="Search by the start of an id, email or name"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            data-testid="contact-search"
          />
          <button>Search</button>
        </form>
      </header>
      <ErrorBox error={page.error} />
      {page.data?.items.length === 0 && <p className="empty">No contacts found.</p>}
      {page.data && page.data.items.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Contact</th>
              <th>Id</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((c) => (
              <tr
                key={c.id}
                className="clickable"
                onClick={() => navigate('contacts', c.id)}
                data-testid={`contact-row-${c.id}`}
              >
                <td>{contactName(c)}</td>
                <td className="muted">{c.id}</td>
                <td className="muted">
                  {c.lastSeenAt ? new Date(c.lastSeenAt).toLocaleString() : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        {cursor && <button onClick={() => setCursor(undefined)}>First page</button>}
        {page.data?.nextCursor && (
          <button onClick={() => setCursor(page.data?.nextCursor ?? undefined)}>Next page</button>
        )}
      </div>
    </div>
  );
}

export function ContactPage({ contactId }: { contactId: string }) {
  const contact = useContact(contactId);
  if (contact.error) return <LoadFailed error={contact.error} thing="contact" id={contactId} />;
  if (!contact.data) return <div className="page muted">Loading contact…</div>;
  const c = contact.data;
  return (
    <div className="page contact-page" data-testid="contact-page">
      <header className="page-header">
        <a href="#/contacts" className="back">
          ← Contacts
        </a>
        <h1>{contactName(c)}</h1>
        <span className="muted">{c.id}</span>
      </header>
      <div className="two-columns">
        <div>
          <section className="card">
            <h2>Traits</h2>
            <dl className="kv">
              {Object.entries(c.traits).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd title={valueTitle(v)}>{showValue(v)}</dd>
                </div>
              ))}
            </dl>
          </section>
          <ProfileCard contactId={c.id} profile={c.profile} />
        </div>
        <div>
          <section className="card" data-testid="contact-segments">
            <h2>Segments</h2>
            {c.segments.length === 0 && <p className="muted">In no segment.</p>}
            <ul className="plain">
              {c.segments.map((s) => (
                <li key={s.id} data-testid={`contact-segment-${s.id}`}>
                  <a href={`#/segments/${encodeURIComponent(s.id)}`}>{s.name}</a>{' '}
                  <span className="muted small">since {new Date(s.since).toLocaleString()}</span>
                </li>
              ))}
            </ul>
          </section>
          <section className="card" data-testid="contact-journeys">
            <h2>Journeys</h2>
            {c.journeys.length === 0 && <p className="muted">Not in any journey.</p>}
            {c.journeys.map((j) => (
              <div key={`${j.journeyId}-${j.version}`} className="journey-run">
                <div>
                  <a href={`#/journeys/${encodeURIComponent(j.journeyId)}`}>
                    {j.name ?? j.journeyId}
                  </a>{' '}
                  <span className="muted small">v{j.version}</span>{' '}
                  <span className={`status status-${j.status}`}>{j.status}</span>
                </div>
                <RunNow {...j} />
                <ol className="steps">
                  {j.steps.map((s, i) => (
                    <li key={i} data-testid={`contact-step-${j.journeyId}-${s.nodeId}`}>
                      <code>{s.nodeId}</code>
                      {s.output && <span className="muted"> → {s.output}</span>}{' '}
                      <span className="muted small">{new Date(s.at).toLocaleString()}</span>
                    </li>
                  ))}
                </ol>
              </div>
            ))}
          </section>
          <Timeline entries={c.timeline} />
        </div>
      </div>
    </div>
  );
}
