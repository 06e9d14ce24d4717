import { useEffect, useState } from 'react';
import type {
  MessageTemplate,
  MessageTemplateContent,
  MessageTemplateVersion,
} from '../../api/client.js';
import { ErrorBox } from '../ErrorBox.js';
import { LoadFailed } from '../NotFound.js';
import { needsRole } from '../roles.js';
import { useSaveTemplate, useTemplate, useTemplateVersions } from '../../api/queries.js';
import { navigate, useApi, useCan } from '../session.js';
import {
  BLANK_EMAIL,
  PERSONALISATION,
  contentOf,
  hasUnsavedChanges,
  versionLabel,
} from '../templates.js';
import { TemplatePreview } from './TemplatePreview.js';

/** One Liquid field: a monospace editor that keeps tabs and long lines as written. */
function LiquidField(props: {
  label: string;
  value: string;
  rows?: number;
  readOnly: boolean;
  testId: string;
  onChange: (value: string) => void;
}) {
  return (
    <label className="field liquid-field">
      <span className="field-label">{props.label}</span>
      {props.rows ? (
        <textarea
          className="code"
          rows={props.rows}
          spellCheck={false}
          value={props.value}
          readOnly={props.readOnly}
          data-testid={props.testId}
          onChange={(e) => props.onChange(e.target.value)}
        />
      ) : (
        <input
          className="code"
          value={props.value}
          readOnly={props.readOnly}
          data-testid={props.testId}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </label>
  );
}

/** Saved versions, newest first; picking an older one shows it read-only, with a way to bring it back. */
function Versions({
  templateId,
  latest,
  viewing,
  onView,
}: {
  templateId: string;
  latest: number;
  viewing: number;
  onView: (version: number) => void;
}) {
  const versions = useTemplateVersions(templateId, latest);
  return (
    <section className="card versions">
      <h3>Versions</h3>
      <p className="muted small">
        Each save is a new version. Journey steps stay on the version they picked.
      </p>
      <ErrorBox error={versions.error} />
      <ul data-testid="template-versions">
        {versions.data?.versions.map((v) => (
          <li key={v.version}>
            <button
              className={`link ${v.version === viewing ? 'active' : ''}`}
              data-testid={`template-version-${v.version}`}
              onClick={() => onView(v.version)}
            >
              {versionLabel(v, latest)}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Create or edit one email template: Liquid editor, live preview for a contact, test send, versions. */
export function TemplateEditor({ templateId }: { templateId?: string }) {
  const api = useApi();
  const canEdit = useCan('editDrafts');
  const [saved, setSaved] = useState<MessageTemplate | undefined>(undefined);
  const [draft, setDraft] = useState<MessageTemplateContent>(BLANK_EMAIL);
  const [older, setOlder] = useState<MessageTemplateVersion | undefined>(undefined);
  const [status, setStatus] = useState<{ error?: unknown; busy?: boolean }>({});
  const loaded = useTemplate(templateId);
  const saveTemplate = useSaveTemplate();
  useEffect(() => {
    if (!loaded.data) return;
    setSaved(loaded.data);
    setDraft(contentOf(loaded.data));
  }, [loaded.data]);

  const shown = older ? contentOf(older) : draft;
  const readOnly = !canEdit || older !== undefined;
  const dirty = hasUnsavedChanges(saved, draft);
  const set = (patch: Partial<MessageTemplateContent>) => setDraft({ ...draft, ...patch });

  const save = async () => {
    setStatus({ busy: true });
    try {
      const content = contentOf(draft);
      const next = await saveTemplate.mutateAsync({ saved, content });
      setSaved(next);
      setDraft(contentOf(next));
      setStatus({});
      if (!saved) navigate('templates', next.id);
    } catch (error) {
      setStatus({ error });
    }
  };
  const view = async (version: number) => {
    if (!saved || version === saved.version) return setOlder(undefined);
    try {
      setOlder(await api.templateVersion(saved.id, version));
    } catch (error) {
      setStatus({ error });
    }
  };

  if (templateId && loaded.error)
    return <LoadFailed error={loaded.error} thing="template" id={templateId} />;
  return (
    <div className="page template-editor">
      <header className="page-header">
        <a className="back" href="#/templates">
          ← Templates
        </a>
        <input
          className="title-input"
          placeholder="Name this template, e.g. Welcome email"
          value={shown.name}
          readOnly={readOnly}
          data-testid="template-name"
          onChange={(e) => set({ name: e.target.value })}
        />
        {saved && <span className="muted">v{older?.version ?? saved.version}</span>}
        <button
          className="primary"
          data-testid="template-save"
          disabled={readOnly || !dirty || status.busy || !draft.name.trim()}
          title={canEdit ? undefined : needsRole('editDrafts')}
          onClick={() => void save()}
        >
          {saved ? `Save as version ${saved.version + 1}` : 'Create template'}
        </button>
      </header>
      <ErrorBox error={status.error} testId="template-error" />
      {older && (
        <div className="notice" data-testid="older-version">
          You are looking at version {older.version}, read-only.{' '}
          <button
            className="link"
            data-testid="restore-version"
            onClick={() => {
              setDraft({ ...contentOf(older), name: draft.name });
              setOlder(undefined);
            }}
          >
            Edit from this version
          </button>
          {' · '}
          <button className="link" onClick={() => setOlder(undefined)}>
            Back to the latest
          </button>
        </div>
      )}
      <div className="template-columns">
        <div>
          <section className="card">
            <LiquidField
              label="Subject"
              value={shown.subject ?? ''}
              readOnly={readOnly}
              testId="template-subject"
              onChange={(subject) => set({ subject })}
            />
            <LiquidField
              label="HTML body"
              rows={14}
              value={shown.html ?? ''}
              readOnly={readOnly}
              testId="template-html"
              onChange={(html) => set({ html })}
            />
            <LiquidField
              label="Plain-text part (made from the HTML when left empty)"
              rows={4}
              value={shown.text ?? ''}
              readOnly={readOnly}
              testId="template-text"
              onChange={(text) => set({ text })}
            />
          </section>
          <section className="card personalisation">
            <h3>Personalise with Liquid</h3>
            <ul>
              {PERSONALISATION.map((p) => (
                <li key={p.liquid}>
                  <code>{p.liquid}</code> <span className="muted">{p.says}</span>
                </li>
              ))}
            </ul>
          </section>
        </div>
        <div>
          <TemplatePreview request={{ template: { ...shown, name: shown.name || 'Draft' } }} />
          {saved && (
            <Versions
              templateId={saved.id}
              latest={saved.version}
              viewing={older?.version ?? saved.version}
              onView={(v) => void view(v)}
            />
          )}
        </div>
      </div>
    </div>
  );
}
