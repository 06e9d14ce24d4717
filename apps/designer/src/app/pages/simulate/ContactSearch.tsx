import { useEffect, useState } from 'react';
import { useContacts } from '../../../api/queries.js';
import { contactName } from '../../contact-name.js';
import type { PickedContact } from './useSimulation.js';

const SEARCH_PAUSE_MS = 250;
const SHOWN = 6;

/** Finds a real contact by name, email or id and picks it; its traits, profile and segments are previewed. */
export function ContactSearch({
  picked,
  onPick,
}: {
  picked: PickedContact | null;
  onPick: (contact: PickedContact | null) => void;
}) {
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  // Ask once the marketer pauses, not at every keystroke.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const found = useContacts(query, undefined);

  if (picked)
    return (
      <div className="field">
        <span className="field-label">Contact</span>
        <div className="row" data-testid="simulate-contact-picked">
          <strong>{picked.name}</strong>
          {picked.name !== picked.id && <span className="muted small">{picked.id}</span>}
          <button className="link" onClick={() => onPick(null)}>
            Change
          </button>
        </div>
      </div>
    );
  const items = found.data?.items.slice(0, SHOWN) ?? [];
  return (
    <div className="field">
      <label className="field-label" htmlFor="simulate-contact-search">
        Contact
      </label>
      <input
        id="simulate-contact-search"
        type="search"
        value={text}
        placeholder="Search by name, email or id"
        onChange={(e) => setText(e.target.value)}
        data-testid="simulate-contact-search"
      />
      <ul className="plain contact-matches" data-testid="simulate-contact-matches">
        {found.isFetching && items.length === 0 && <li className="muted small">Searching…</li>}
        {!found.isFetching && found.data && items.length === 0 && (
          <li className="muted small">No contact matches “{query}”.</li>
        )}
        {items.map((c) => {
          const name = contactName(c);
          const email = typeof c.traits['email'] === 'string' ? c.traits['email'] : undefined;
          return (
            <li key={c.id}>
              <button
                className="link"
                data-testid={`simulate-contact-${c.id}`}
                onClick={() => onPick({ id: c.id, name })}
              >
                {name}
              </button>{' '}
              <span className="muted small">{email && email !== name ? email : c.id}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
