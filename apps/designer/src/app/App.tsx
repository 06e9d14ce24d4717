import { useMemo, useState } from 'react';
import { createApiClient } from '../api/client.js';
import { ContactPage, ContactsList } from './pages/Contacts.js';
import { JourneyEditor } from './pages/JourneyEditor.js';
import { JourneysList } from './pages/JourneysList.js';
import { SegmentBuilder } from './pages/SegmentBuilder.js';
import { SegmentsList } from './pages/SegmentsList.js';
import { ApiContext, storeAdminKey, storedAdminKey, useRoute } from './session.js';
import { SignIn } from './SignIn.js';

const SECTIONS = [
  { route: 'journeys', label: 'Journeys' },
  { route: 'segments', label: 'Segments' },
  { route: 'contacts', label: 'Contacts' },
] as const;

export function App() {
  const [adminKey, setAdminKey] = useState(storedAdminKey);
  const [workspace, setWorkspace] = useState<string | null>(null);
  const api = useMemo(() => (adminKey ? createApiClient(adminKey) : null), [adminKey]);
  const [section = 'journeys', id] = useRoute();

  if (!api)
    return (
      <SignIn
        onSignedIn={(key, name) => {
          storeAdminKey(key);
          setWorkspace(name);
          setAdminKey(key);
        }}
      />
    );

  return (
    <ApiContext.Provider value={api}>
      <div className="shell">
        <nav className="left-nav">
          <div className="brand">Cairn</div>
          {workspace && <div className="workspace muted">{workspace}</div>}
          {SECTIONS.map((s) => (
            <a key={s.route} href={`#/${s.route}`} className={section === s.route ? 'active' : ''} data-testid={`nav-${s.route}`}>
              {s.label}
            </a>
          ))}
          <button
            className="link sign-out"
            onClick={() => {
              storeAdminKey(null);
              setAdminKey(null);
            }}
          >
            Sign out
          </button>
        </nav>
        <main className="content">
          {section === 'journeys' && (id ? <JourneyEditor key={id} journeyId={id} /> : <JourneysList />)}
          {section === 'segments' && (id ? <SegmentBuilder key={id} segmentId={id === 'new' ? undefined : id} /> : <SegmentsList />)}
          {section === 'contacts' && (id ? <ContactPage key={id} contactId={id} /> : <ContactsList />)}
        </main>
      </div>
    </ApiContext.Provider>
  );
}
