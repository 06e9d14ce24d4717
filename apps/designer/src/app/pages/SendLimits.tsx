import { useEffect, useState } from 'react';
import { SEND_LIMIT_UNITS, type SendLimitUnit } from '@cairn/core';
import { ErrorBox } from '../ErrorBox.js';
import { needsRole } from '../roles.js';
import {
  CHANNELS,
  EMPTY_SEND_LIMIT_ROW,
  limitsFromRows,
  rowsFromLimits,
  type SendLimitRow,
} from '../send-limits.js';
import { useSaveSendLimits, useSendLimits } from '../../api/settings-queries.js';
import { useCan } from '../session.js';

/** Settings section: how many messages each channel may send per window, for the whole workspace. */
export function SendLimits() {
  const canEdit = useCan('manageAccess');
  const loaded = useSendLimits();
  const saveLimits = useSaveSendLimits();
  const [rows, setRows] = useState<SendLimitRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    if (loaded.data) setRows(rowsFromLimits(loaded.data.limits));
  }, [loaded.data]);

  const { limits, problems } = limitsFromRows(rows);
  const edit = (i: number, patch: Partial<SendLimitRow>) =>
    setRows((current) => current.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const unused = CHANNELS.find((c) => !rows.some((r) => r.channel === c));

  async function save() {
    setError(null);
    setSaved(null);
    try {
      // The answer becomes the cached limits, which the effect above copies into the rows.
      const answer = await saveLimits.mutateAsync(limits);
      setSaved(`Saved. Every worker applies it within ${answer.settledWithinSeconds} s.`);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section id="settings-send-limits" data-testid="send-limit-settings">
      <h2>Send limits</h2>
      <p className="muted">
        At most so many messages per channel in each window, across every journey of the workspace
        (e.g. what your email provider allows). Messages over the limit wait for the next window;
        none is dropped. Steps show how many had to wait as “throttled”.
      </p>
      <ErrorBox error={loaded.error ?? error} testId="send-limit-error" />
      {rows.length > 0 && (
        <table className="affinities">
          <thead>
            <tr>
              <th>Channel</th>
              <th>Messages</th>
              <th>Per</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                <td>
                  <select
                    value={row.channel}
                    disabled={!canEdit}
                    onChange={(e) => edit(i, { channel: e.target.value })}
                  >
                    {[...new Set([...CHANNELS, row.channel])].map((c) => (
                      <option key={c} value={c}>
                        {c}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    type="number"
                    min={1}
                    value={row.messages}
                    placeholder="100"
                    disabled={!canEdit}
                    data-testid={`send-limit-messages-${i}`}
                    onChange={(e) => edit(i, { messages: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    type="number"
                    min={1}
                    value={row.amount}
                    disabled={!canEdit}
                    aria-label="window length"
                    onChange={(e) => edit(i, { amount: e.target.value })}
                  />{' '}
                  <select
                    value={row.unit}
                    disabled={!canEdit}
                    aria-label="window unit"
                    onChange={(e) => edit(i, { unit: e.target.value as SendLimitUnit })}
                  >
                    {SEND_LIMIT_UNITS.map((u) => (
                      <option key={u} value={u}>
                        {u}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {canEdit && (
                    <button
                      className="icon"
                      title="Remove limit"
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
      )}
      {rows.length === 0 && !loaded.isPending && (
        <p className="muted">No limits: sends go out at once.</p>
      )}
      {problems.length > 0 && (
        <ul className="problems" data-testid="send-limit-problems">
          {problems.map((p) => (
            <li key={p.path}>
              <code>{p.path}</code>: {p.message}
            </li>
          ))}
        </ul>
      )}
      {/* Until the saved limits arrive, a row added here would be replaced by them. */}
      {canEdit && unused && loaded.data && (
        <button
          data-testid="send-limit-add"
          onClick={() =>
            setRows((current) => [...current, { ...EMPTY_SEND_LIMIT_ROW, channel: unused }])
          }
        >
          Add a limit
        </button>
      )}{' '}
      <button
        className="primary"
        disabled={!canEdit || problems.length > 0 || loaded.isPending || saveLimits.isPending}
        title={canEdit ? undefined : needsRole('manageAccess')}
        data-testid="send-limit-save"
        onClick={() => void save()}
      >
        Save send limits
      </button>
      {saved && <span className="muted"> {saved}</span>}
    </section>
  );
}
