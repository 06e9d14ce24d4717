import { useState } from 'react';
import type { JourneyTemplate } from '@cairn/core';
import { ErrorBox } from '../ErrorBox.js';
import {
  draftFromTemplate,
  initialValues,
  isRequired,
  missingParameters,
  type TemplateValues,
} from '../journey-templates.js';
import { needsRole } from '../roles.js';
import { useCreateJourney, useJourneyTemplates, useSegments } from '../../api/queries.js';
import { navigate, useCan } from '../session.js';

const VERTICALS: Record<JourneyTemplate['vertical'], string> = {
  streaming: 'Streaming',
  ecommerce: 'E-commerce',
  saas: 'SaaS',
};

/** Ready-made journeys (the API's library): pick one, fill in what it cannot guess, and get a draft to edit. */
export function JourneyTemplates({ prominent }: { prominent: boolean }) {
  const templates = useJourneyTemplates();
  const canEdit = useCan('editDrafts');
  const [chosen, setChosen] = useState<JourneyTemplate | null>(null);

  return (
    <section
      className={`card templates${prominent ? ' templates-prominent' : ''}`}
      data-testid="journey-templates"
    >
      <h2 className="templates-heading">Start from a template</h2>
      <p className="muted small">
        Proven flows to adapt: pick one, choose who enters, and it opens as a draft you can change
        before going live.
      </p>
      <ErrorBox error={templates.error} />
      {templates.isPending && <p className="muted">Loading templates…</p>}
      <div className="template-grid">
        {templates.data?.map((t) => (
          <article
            key={t.id}
            className={`template-card${chosen?.id === t.id ? ' template-card-chosen' : ''}`}
            data-testid={`template-${t.id}`}
          >
            <div className="template-card-head">
              <strong>{t.title}</strong>
              <span className={`vertical vertical-${t.vertical}`}>
                {VERTICALS[t.vertical] ?? t.vertical}
              </span>
            </div>
            <p className="template-description">{t.description}</p>
            <button
              data-testid={`use-template-${t.id}`}
              disabled={!canEdit}
              title={canEdit ? undefined : needsRole('editDrafts')}
              onClick={() => setChosen(chosen?.id === t.id ? null : t)}
            >
              {chosen?.id === t.id ? 'Close' : 'Use template'}
            </button>
          </article>
        ))}
      </div>
      {chosen && canEdit && (
        <TemplateForm key={chosen.id} template={chosen} onCancel={() => setChosen(null)} />
      )}
    </section>
  );
}

function TemplateForm({ template, onCancel }: { template: JourneyTemplate; onCancel: () => void }) {
  const segments = useSegments();
  const createJourney = useCreateJourney();
  const [values, setValues] = useState<TemplateValues>(() => initialValues(template));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const missing = missingParameters(template, values);
  // An edit answers the last error, so a stale message never sits beside a corrected value.
  const set = (key: string, value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    setError(null);
  };

  async function create(event: React.FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const draft = draftFromTemplate(template, values);
      const created = await createJourney.mutateAsync(draft);
      navigate('journeys', created.id);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <form className="template-form" data-testid="template-form" onSubmit={create}>
      <h3>{template.title}</h3>
      {template.parameters.map((p) => {
        const id = `template-param-${p.key}`;
        return (
          <label key={p.key} className="field" htmlFor={id}>
            <span className="field-label">
              {p.label}
              {isRequired(p) && <span className="required"> (required)</span>}
            </span>
            {p.kind === 'segment' ? (
              <select
                id={id}
                data-testid={id}
                value={values[p.key] ?? ''}
                onChange={(e) => set(p.key, e.target.value)}
              >
                <option value="">
                  {segments.isPending ? 'Loading segments…' : 'Choose a segment'}
                </option>
                {segments.data?.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name} ({s.memberCount} {s.memberCount === 1 ? 'contact' : 'contacts'})
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                data-testid={id}
                value={values[p.key] ?? ''}
                placeholder={p.kind === 'event' ? 'Event name' : undefined}
                onChange={(e) => set(p.key, e.target.value)}
              />
            )}
            {p.kind === 'segment' && segments.data?.length === 0 && (
              <span className="hint">
                No segments yet: <a href="#/segments">create the segment</a> who should enter, then
                come back.
              </span>
            )}
          </label>
        );
      })}
      <ErrorBox error={error ?? segments.error} testId="template-error" />
      <div className="row">
        <button
          className="primary"
          data-testid="template-create"
          disabled={missing.length > 0 || busy}
        >
          {busy ? 'Creating…' : 'Create journey'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {missing.length > 0 && (
          <span className="hint" data-testid="template-missing">
            Still needed: {missing.join(', ')}
          </span>
        )}
      </div>
    </form>
  );
}
