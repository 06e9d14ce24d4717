import { useState } from 'react';
import { ErrorBox } from '../ErrorBox.js';
import { needsRole } from '../roles.js';
import { useSegmentListActions, useSegments } from '../../api/queries.js';
import { navigate, useCan } from '../session.js';

export function SegmentsList() {
  const segments = useSegments();
  const canEdit = useCan('editDrafts');
  const canArchive = useCan('goLive');
  const actions = useSegmentListActions();
  const [error, setError] = useState<unknown>(null);

  async function duplicate(id: string) {
    try {
      const copy = await actions.duplicate.mutateAsync(id);
      navigate('segments', copy.id);
    } catch (e) {
      setError(e);
    }
  }

  async function archive(id: string, name: string) {
    if (
      !window.confirm(
        `Archive “${name}”? Its members stop being counted; journeys can no longer enter from it.`,
      )
    )
      return;
    try {
      await actions.archive.mutateAsync(id);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <div className="page">
      <header className="page-header">
        <h1>Segments</h1>
        <button
          className="primary"
          data-testid="new-segment"
          disabled={!canEdit}
          title={canEdit ? undefined : needsRole('editDrafts')}
          onClick={() => navigate('segments', 'new')}
        >
          New segment
        </button>
      </header>
      <ErrorBox error={error ?? segments.error} />
      {segments.data?.length === 0 && <p className="empty">No segments yet.</p>}
      {segments.data && segments.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Description</th>
              <th className="num">Members</th>
              <th className="num">Version</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {segments.data.map((s) => (
              <tr
                key={s.id}
                className="clickable"
                data-testid={`segment-row-${s.id}`}
                onClick={() => navigate('segments', s.id)}
              >
                <td>{s.name}</td>
                <td className="muted">{s.description}</td>
                <td className="num">{s.memberCount.toLocaleString()}</td>
                <td className="num">{s.version}</td>
                <td className="row-actions" onClick={(e) => e.stopPropagation()}>
                  <button
                    data-testid={`segment-duplicate-${s.id}`}
                    disabled={!canEdit}
                    title={
                      canEdit
                        ? 'A copy of its conditions, as a new segment'
                        : needsRole('editDrafts')
                    }
                    onClick={() => void duplicate(s.id)}
                  >
                    Duplicate
                  </button>
                  <button
                    data-testid={`segment-archive-${s.id}`}
                    disabled={!canArchive}
                    title={canArchive ? undefined : needsRole('goLive')}
                    onClick={() => void archive(s.id, s.name)}
                  >
                    Archive
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
