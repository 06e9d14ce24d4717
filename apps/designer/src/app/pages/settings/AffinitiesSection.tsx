import { useEffect, useState } from 'react';
import { affinitiesFromRows, EMPTY_AFFINITY_ROW, type AffinityRow } from '../../affinities.js';
import { ErrorBox } from '../../ErrorBox.js';
import { needsRole } from '../../roles.js';
import { useAffinities, useSaveAffinities } from '../../../api/settings-queries.js';
import { useCan } from '../../session.js';

/** The affinities the profile counts beyond product categories. */
export function AffinitiesSection() {
  const canEdit = useCan('editDrafts');
  const loaded = useAffinities();
  const saveAffinities = useSaveAffinities();
  const [rows, setRows] = useState<AffinityRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    if (loaded.data) setRows([...loaded.data.affinities, EMPTY_AFFINITY_ROW]);
  }, [loaded.data]);

  const { affinities, problems } = affinitiesFromRows(rows);
  const edit = (i: number, patch: Partial<AffinityRow>) =>
    setRows((current) => {
      const next = current.map((r, j) => (j === i ? { ...r, ...patch } : r));
      // Always one blank row to add the next affinity.
      return next[next.length - 1]?.name || next[next.length - 1]?.event
        ? [...next, EMPTY_AFFINITY_ROW]
        : next;
    });

  async function save() {
    setError(null);
    setSaved(null);
    try {
      // The answer becomes the cached affinities, which the effect above copies into the rows.
      const answer = await saveAffinities.mutateAsync(affinities);
      setSaved(
        `Saved. Counted for ${answer.appliesFrom}, by every process within ${answer.settledWithinSeconds} s.`,
      );
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section className="card" id="settings-affinities" data-testid="affinity-settings">
      <h2>Affinities</h2>
      <p className="muted">
        What a contact likes most, counted from one property of one event, e.g. the{' '}
        <code>genre</code> of <code>Video Watched</code>. Segments test it with “top category” on
        the affinity; templates read <code>contact.profile.affinities.&lt;name&gt;.top</code>.
        Product categories are always counted (<code>categories.topCategory</code>).
      </p>
      <ErrorBox error={loaded.error ?? error} testId="affinity-error" />
      <table className="affinities">
        <thead>
          <tr>
            <th>Name</th>
            <th>Event</th>
            <th>Property</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <td>
                <input
                  value={row.name}
                  placeholder="genre"
                  disabled={!canEdit}
                  data-testid={`affinity-name-${i}`}
                  onChange={(e) => edit(i, { name: e.target.value })}
                />
              </td>
              <td>
                <input
                  value={row.event}
                  placeholder="Video Watched"
                  list="cairn-events"
                  disabled={!canEdit}
                  onChange={(e) => edit(i, { event: e.target.value })}
                />
              </td>
              <td>
                <input
                  value={row.property}
                  placeholder="genre"
                  disabled={!canEdit}
                  onChange={(e) => edit(i, { property: e.target.value })}
                />
              </td>
              <td>
                {i < rows.length - 1 && canEdit && (
                  <button
                    className="icon"
                    title="Remove affinity"
                    onClick={() => setRows((current) => current.filter((_, j) => j !== i))}
                  >
                    ×
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {problems.length > 0 && (
        <ul className="problems" data-testid="affinity-problems">
          {problems.map((p) => (
            <li key={p.path}>
              <code>{p.path}</code>: {p.message}
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        A new affinity counts events folded from when it is saved; earlier events are not counted
        again.
      </p>
      <button
        className="primary"
        disabled={!canEdit || problems.length > 0 || loaded.isPending || saveAffinities.isPending}
        title={canEdit ? undefined : needsRole('editDrafts')}
        data-testid="affinity-save"
        onClick={() => void save()}
      >
        Save affinities
      </button>
      {saved && <span className="muted"> {saved}</span>}
    </section>
  );
}
