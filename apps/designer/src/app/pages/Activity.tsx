import { useEffect, useState } from 'react';
import type { AuditEntry, AuditQuery } from '../../api/client.js';
import {
  describeAction,
  describeActor,
  formatValue,
  RESOURCE_TYPES,
  resourceHref,
} from '../activity.js';
import { ErrorBox } from '../ErrorBox.js';
import { navigate, useApi } from '../session.js';

/** The audit log: who changed what and when, newest first. `#/activity/<type>/<id>` filters to one resource. */
export function Activity({
  routeType = '',
  routeId = '',
}: {
  routeType?: string;
  routeId?: string;
}) {
  const api = useApi();
  const [actor, setActor] = useState('');
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [open, setOpen] = useState<Set<string>>(new Set());

  const filters = (before?: string): AuditQuery => ({
    ...(routeType ? { resourceType: routeType } : {}),
    ...(routeId ? { resourceId: routeId } : {}),
    ...(actor.trim() ? { actor: actor.trim().toLowerCase() } : {}),
    ...(before ? { before } : {}),
    limit: '50',
  });

  async function load(before?: string) {
    setLoading(true);
    setError(null);
    try {
      const page = await api.audit(filters(before));
      setEntries((current) => (before ? [...current, ...page.entries] : page.entries));
      setNext(page.next);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    void load();
  }, [api, routeType, routeId]);

  const toggle = (id: string) =>
    setOpen((current) => {
      const copy = new Set(current);
      if (copy.has(id)) copy.delete(id);
      else copy.add(id);
      return copy;
    });

  return (
    <div className="page activity">
      <header className="page-header">
        <h1>Activity</h1>
        <span className="muted small">
          Every change to segments, journeys, templates, credentials, keys and users.
        </span>
      </header>
      <form
        className="inline-form activity-filters"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <select
          data-testid="activity-type"
          value={routeType}
          onChange={(e) => navigate('activity', ...(e.target.value ? [e.target.value] : []))}
        >
          <option value="">All resources</option>
          {RESOURCE_TYPES.map((r) => (
            <option key={r.type} value={r.type}>
              {r.label}
            </option>
          ))}
        </select>
        {routeId && (
          <span className="chip on" data-testid="activity-resource-filter">
            {routeId}{' '}
            <button
              type="button"
              className="icon"
              title="Show all of this type"
              onClick={() => navigate('activity', routeType)}
            >
              ×
            </button>
          </span>
        )}
        <input
          data-testid="activity-actor"
          placeholder="Who (email or key id)"
          value={actor}
          onChange={(e) => setActor(e.target.value)}
        />
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={error} />
      {!loading && entries.length === 0 && !error && (
        <p className="empty">No activity yet{routeType ? ' for this filter' : ''}.</p>
      )}
      {entries.length > 0 && (
        <table className="table" data-testid="activity-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>Resource</th>
              <th className="num">Changes</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => {
              const href = resourceHref(entry.resource);
              const expanded = open.has(entry.id);
              return [
                <tr key={entry.id} data-testid="activity-entry" data-action={entry.action}>
                  <td className="nowrap" title={entry.at}>
                    {new Date(entry.at).toLocaleString()}
                  </td>
                  <td data-testid="activity-actor-cell">{describeActor(entry.actor)}</td>
                  <td data-testid="activity-action">{describeAction(entry.action)}</td>
                  <td>
                    {href ? (
                      <a href={href}>{entry.resource.name ?? entry.resource.id}</a>
                    ) : (
                      (entry.resource.name ?? entry.resource.id)
                    )}
                    <a
                      className="muted small activity-history"
                      href={`#/activity/${entry.resource.type}/${encodeURIComponent(entry.resource.id)}`}
                      title="Only this resource's history"
                    >
                      {' '}
                      history
                    </a>
                  </td>
                  <td className="num">
                    {entry.changes.length > 0 ? (
                      <button
                        className="link"
                        data-testid="activity-expand"
                        onClick={() => toggle(entry.id)}
                      >
                        {expanded
                          ? 'Hide'
                          : `${entry.changes.length} ${entry.changes.length === 1 ? 'change' : 'changes'}`}
                      </button>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>,
                expanded && (
                  <tr key={`${entry.id}-changes`} className="activity-changes">
                    <td colSpan={5}>
                      <table className="changes" data-testid="activity-changes">
                        <tbody>
                          {entry.changes.map((change, i) => (
                            <tr key={i}>
                              <td className="mono">{change.path}</td>
                              <td className="before mono">{formatValue(change.before)}</td>
                              <td className="arrow">→</td>
                              <td className="after mono">{formatValue(change.after)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      )}
      {next && (
        <button className="load-more" disabled={loading} onClick={() => void load(next)}>
          {loading ? 'Loading…' : 'Older entries'}
        </button>
      )}
    </div>
  );
}
