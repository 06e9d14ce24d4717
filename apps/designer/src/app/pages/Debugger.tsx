import { useEffect, useState } from 'react';
import type { DebuggerView } from '../../api/client.js';
import {
  ago,
  bodyText,
  debuggerQuery,
  describeLag,
  propertiesText,
  refusalReasons,
  whoSent,
} from '../debugger.js';
import { ErrorBox } from '../ErrorBox.js';
import { useApi } from '../session.js';

const POLL_MS = 2_000;

/** The event debugger: what this workspace's SDKs sent in the last moments, accepted or refused, polled live. */
export function Debugger() {
  const api = useApi();
  const [user, setUser] = useState('');
  const [event, setEvent] = useState('');
  const [paused, setPaused] = useState(false);
  const [view, setView] = useState<DebuggerView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [now, setNow] = useState(Date.now());
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    if (paused) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A filter change restarts the poll, so the list answers the new filter at once.
    const query = debuggerQuery({ user, event });
    const poll = async () => {
      try {
        const next = await api.debuggerEvents(query);
        if (stopped) return;
        setView(next);
        setError(null);
      } catch (e) {
        if (!stopped) setError(e);
      }
      if (!stopped) {
        setNow(Date.now());
        timer = setTimeout(() => void poll(), POLL_MS);
      }
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, paused, user, event]);

  const toggle = (key: string) => setOpen((current) => (current === key ? null : key));

  return (
    <div className="page debugger">
      <header className="page-header">
        <h1>Debugger</h1>
        <span className="muted small">
          The last events your SDKs sent (up to 200) and the calls Cairn refused (up to 100), newest
          first, refreshed every 2 s.
        </span>
      </header>
      <form className="inline-form debugger-filters" onSubmit={(e) => e.preventDefault()}>
        <input
          data-testid="debugger-user"
          placeholder="User (userId or anonymousId)"
          value={user}
          onChange={(e) => setUser(e.target.value)}
        />
        <input
          data-testid="debugger-event"
          placeholder="Event name"
          value={event}
          onChange={(e) => setEvent(e.target.value)}
        />
        <button type="button" data-testid="debugger-pause" onClick={() => setPaused((p) => !p)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        {view && (
          <span
            className={`debugger-lag ${view.fold.unfoldedEvents > 0 ? 'behind' : 'current'}`}
            data-testid="debugger-lag"
          >
            {describeLag(view.fold)}
          </span>
        )}
      </form>
      <ErrorBox error={error} />

      <section>
        <h2>Refused calls</h2>
        {view && view.refused.length === 0 && (
          <p className="empty" data-testid="debugger-no-refusals">
            No refused calls{user || event ? ' match this filter' : ''}.
          </p>
        )}
        {view && view.refused.length > 0 && (
          <table className="table" data-testid="debugger-refused">
            <thead>
              <tr>
                <th>When</th>
                <th>Call</th>
                <th>Status</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {view.refused.map((r, i) => {
                const key = `r${r.at}-${i}`;
                return [
                  <tr key={key} data-testid="debugger-refusal" onClick={() => toggle(key)}>
                    <td className="nowrap" title={r.at}>
                      {ago(r.at, now)}
                    </td>
                    <td className="mono">
                      {r.method} {r.path}
                    </td>
                    <td>
                      <span className="status-refused">{r.status}</span>
                    </td>
                    <td>
                      {refusalReasons(r).map((reason, j) => (
                        <div key={j} data-testid="debugger-reason">
                          {reason.path && <code className="field-path">{reason.path}</code>}{' '}
                          {reason.message}
                        </div>
                      ))}
                    </td>
                  </tr>,
                  open === key && (
                    <tr key={`${key}-body`} className="debugger-detail">
                      <td colSpan={4}>
                        {r.detail && <p>{r.detail}</p>}
                        <pre data-testid="debugger-body">{bodyText(r)}</pre>
                      </td>
                    </tr>
                  ),
                ];
              })}
            </tbody>
          </table>
        )}
      </section>

      <section>
        <h2>Events</h2>
        {!view && !error && <p className="muted">Loading…</p>}
        {view && view.events.length === 0 && (
          <p className="empty" data-testid="debugger-no-events">
            {user || event
              ? 'No event matches this filter.'
              : 'No event yet. Send one with your write key to POST /v1/track and it appears here within 2 s.'}
          </p>
        )}
        {view && view.events.length > 0 && (
          <table className="table" data-testid="debugger-events">
            <thead>
              <tr>
                <th>When</th>
                <th>Type</th>
                <th>Event</th>
                <th>User</th>
                <th>messageId</th>
              </tr>
            </thead>
            <tbody>
              {view.events.map((e) => {
                const key = `e${e.messageId}-${e.receivedAt}`;
                return [
                  <tr key={key} data-testid="debugger-event-row" onClick={() => toggle(key)}>
                    <td className="nowrap" title={e.receivedAt}>
                      {ago(e.receivedAt, now)}
                    </td>
                    <td>{e.type}</td>
                    <td data-testid="debugger-event-name">{e.event}</td>
                    <td className="mono">{whoSent(e)}</td>
                    <td className="mono muted small">{e.messageId}</td>
                  </tr>,
                  open === key && (
                    <tr key={`${key}-props`} className="debugger-detail">
                      <td colSpan={5}>
                        <pre data-testid="debugger-properties">{propertiesText(e)}</pre>
                      </td>
                    </tr>
                  ),
                ];
              })}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
