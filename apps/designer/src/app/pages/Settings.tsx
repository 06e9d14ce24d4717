import { useCan, useMe } from '../session.js';
import { AffinitiesSection } from './settings/AffinitiesSection.js';
import { ApiKeysSection } from './settings/ApiKeysSection.js';
import { SendersSection } from './settings/SendersSection.js';
import { UsersSection } from './settings/UsersSection.js';
import { WorkspaceSection } from './settings/WorkspaceSection.js';
import { SendLimits } from './SendLimits.js';

const SECTIONS = [
  { id: 'workspace', label: 'Workspace' },
  { id: 'senders', label: 'Senders' },
  { id: 'keys', label: 'API keys' },
  { id: 'users', label: 'Users' },
  { id: 'send-limits', label: 'Send limits' },
  { id: 'affinities', label: 'Affinities' },
] as const;

/** Workspace settings, one section per concern; each section loads and saves through its own API routes. */
export function Settings() {
  const me = useMe();
  const isAdmin = useCan('manageAccess');
  return (
    <div className="page settings">
      <header className="page-header">
        <h1>Settings</h1>
        <nav className="settings-toc">
          {SECTIONS.map((s) => (
            <a
              key={s.id}
              href={`#/settings`}
              onClick={(e) => {
                e.preventDefault();
                document.getElementById(`settings-${s.id}`)?.scrollIntoView();
              }}
            >
              {s.label}
            </a>
          ))}
        </nav>
      </header>
      {me && <WorkspaceSection key={me.workspace.id} workspace={me.workspace} />}
      {isAdmin ? (
        <>
          <SendersSection />
          <ApiKeysSection />
          <UsersSection />
          <SendLimits />
        </>
      ) : (
        <p className="muted card" data-testid="settings-admin-only">
          Senders, API keys and users are managed by workspace admins.
        </p>
      )}
      <AffinitiesSection />
    </div>
  );
}
