import { useState } from 'react';
import { ErrorBox } from '../ErrorBox.js';
import { needsRole } from '../roles.js';
import { useSegmentListActions, useSegments } from '../../api/queries.js';
import { navigate, useCan } from '../session.js';
import { RowActions, type RowKind } from './RowActions.js';

const SEGMENT_ROWS: RowKind = {
  noun: 'segment',
  route: 'segments',
  duplicateHint: 'A copy of its conditions, as a new segment',
  archiveQuestion: (name) =>
    `Archive “${name}”? Its members stop being counted; journeys can no longer enter from it.`,
};

export function SegmentsList() {
  const segments = useSegments();
  const canEdit = useCan('editDrafts');
  const actions = useSegmentListActions();
  const [error, setError] = useState<unknown>(null);

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
                <RowActions kind={SEGMENT_ROWS} row={s} actions={actions} onError={setError} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
