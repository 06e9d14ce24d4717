import { ErrorBox } from '../ErrorBox.js';
import { needsRole } from '../roles.js';
import { useTemplates } from '../../api/queries.js';
import { navigate, useCan } from '../session.js';

const CHANNEL_LABELS = { email: 'Email', inApp: 'In-app' } as const;

/** The workspace's message templates: each save is a version that journeys can pin. */
export function TemplatesList() {
  const templates = useTemplates();
  const canEdit = useCan('editDrafts');
  return (
    <div className="page">
      <header className="page-header">
        <h1>Templates</h1>
        <span className="muted">
          Email content written once, personalised with Liquid, picked by journey steps.
        </span>
        <button
          className="primary"
          data-testid="new-template"
          disabled={!canEdit}
          title={canEdit ? undefined : needsRole('editDrafts')}
          onClick={() => navigate('templates', 'new')}
        >
          New template
        </button>
      </header>
      <ErrorBox error={templates.error} />
      {templates.data?.templates.length === 0 && (
        <p className="empty" data-testid="templates-empty">
          No templates yet. Write one here, then pick it in a journey’s email step.
        </p>
      )}
      {templates.data && templates.data.templates.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Subject</th>
              <th>Channel</th>
              <th className="num">Version</th>
              <th>Last saved</th>
            </tr>
          </thead>
          <tbody>
            {templates.data.templates.map((t) => (
              <tr
                key={t.id}
                className="clickable"
                data-testid="template-row"
                onClick={() => navigate('templates', t.id)}
              >
                <td>{t.name}</td>
                <td className="muted">{t.subject ?? t.title}</td>
                <td>{CHANNEL_LABELS[t.channel]}</td>
                <td className="num">{t.version}</td>
                <td className="muted">
                  {t.updatedAt ? new Date(t.updatedAt).toLocaleString() : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
