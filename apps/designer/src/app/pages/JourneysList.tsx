import { useState } from 'react';
import { emptyDefinition } from '../../graph/definition.js';
import { ErrorBox } from '../ErrorBox.js';
import { describeEntry } from '../forms/entry-dates.js';
import { needsRole } from '../roles.js';
import { JourneyTemplates } from './JourneyTemplates.js';
import { RowActions, type RowKind } from './RowActions.js';
import { useCreateJourney, useJourneyListActions, useJourneys } from '../../api/queries.js';
import { navigate, useCan } from '../session.js';

const JOURNEY_ROWS: RowKind = {
  noun: 'journey',
  route: 'journeys',
  duplicateHint: 'A copy of its draft, as a new journey',
  archiveQuestion: (name) =>
    `Archive “${name}”? Contacts inside leave it now and nobody new enters; it stays listed, read-only.`,
};

export function JourneysList() {
  const journeys = useJourneys();
  const createJourney = useCreateJourney();
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const canEdit = useCan('editDrafts');
  const actions = useJourneyListActions();

  async function create(event: React.FormEvent) {
    event.preventDefault();
    try {
      const created = await createJourney.mutateAsync({
        name: name.trim(),
        definition: emptyDefinition(name.trim()),
      });
      navigate('journeys', created.id);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <div className="page">
      <header className="page-header">
        <h1>Journeys</h1>
        <form className="inline-form" onSubmit={create}>
          <input
            data-testid="new-journey-name"
            placeholder="New journey name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button
            className="primary"
            data-testid="create-journey"
            disabled={!name.trim() || !canEdit}
            title={canEdit ? undefined : needsRole('editDrafts')}
          >
            Create journey
          </button>
        </form>
      </header>
      <ErrorBox error={error ?? journeys.error} />
      {journeys.isPending && <p className="muted">Loading…</p>}
      {journeys.data?.length === 0 && (
        <>
          <p className="empty">
            No journeys yet. Start from a template below, or name one above to begin from a blank
            canvas.
          </p>
          <JourneyTemplates prominent />
        </>
      )}
      {journeys.data && journeys.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th className="num">Entered</th>
              <th className="num">Active</th>
              <th className="num">Converted</th>
              <th>Updated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {journeys.data.map((j) => (
              <tr
                key={j.id}
                className="clickable"
                data-testid={`journey-row-${j.id}`}
                onClick={() => navigate('journeys', j.id)}
              >
                <td>{j.name}</td>
                <td>
                  <span className={`status status-${j.status}`}>
                    {j.status}
                    {j.publishedVersion !== undefined && (
                      <span className="status-version"> v{j.publishedVersion}</span>
                    )}
                  </span>
                  {j.entry && j.entry.state !== 'open' && (
                    <span
                      className={`status status-${j.entry.state}`}
                      title={describeEntry(j.entry)}
                      data-testid={`journey-entry-${j.id}`}
                    >
                      {j.entry.state}
                    </span>
                  )}
                </td>
                <td className="num">{j.stats.entered}</td>
                <td className="num">{j.stats.active}</td>
                <td className="num">{j.stats.converted}</td>
                <td className="muted">{new Date(j.updatedAt).toLocaleString()}</td>
                <RowActions
                  kind={JOURNEY_ROWS}
                  row={j}
                  actions={actions}
                  archived={j.status === 'archived'}
                  onError={setError}
                />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {journeys.data && journeys.data.length > 0 && <JourneyTemplates prominent={false} />}
    </div>
  );
}
