// Pure helpers of the Debugger page: how incoming calls and the fold lag read to a developer.
import type { DebuggerEvent, DebuggerQuery, DebuggerRefusal, DebuggerView } from '../api/client.js';

/** The query the page polls with: trimmed filters, empty ones left out. */
export function debuggerQuery(filters: { user: string; event: string }): DebuggerQuery {
  const user = filters.user.trim();
  const event = filters.event.trim();
  return { ...(user ? { userId: user } : {}), ...(event ? { event } : {}) };
}

/** Who sent it: the userId, else the anonymous id marked as such. */
export function whoSent(entry: Pick<DebuggerEvent, 'userId' | 'anonymousId'>): string {
  if (entry.userId) return entry.userId;
  if (entry.anonymousId) return `anonymous ${entry.anonymousId}`;
  return '—';
}

/** "just now", "12 s ago", "5 min ago", "3 h ago", else the date. */
export function ago(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  if (ms < 1_000) return 'just now';
  if (ms < 60_000) return `${Math.floor(ms / 1_000)} s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return new Date(iso).toLocaleString();
}

function duration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** The fold lag in words: how long until profiles (and so segments and journeys) see what arrived. */
export function describeLag(fold: DebuggerView['fold']): string {
  const parked =
    fold.parkedEvents > 0
      ? `; ${fold.parkedEvents} ${fold.parkedEvents === 1 ? 'event' : 'events'} parked, waiting for an admin to retry them`
      : '';
  if (fold.unfoldedEvents === 0) return `Profiles are up to date${parked}`;
  const events = `${fold.unfoldedEvents} ${fold.unfoldedEvents === 1 ? 'event' : 'events'}`;
  return `${events} not in profiles yet, oldest ${duration(fold.foldLagMs)}${parked}`;
}

/** Why a call was refused, one line per field: `timestamp: must be a date`. */
export function refusalReasons(refusal: Pick<DebuggerRefusal, 'errors' | 'detail' | 'title'>) {
  if (refusal.errors.length > 0)
    return refusal.errors.map((e) => ({ path: e.path, message: e.message }));
  return [{ path: '', message: refusal.detail ?? refusal.title }];
}

/** The properties as indented JSON, or the cut copy the API kept of a large one. */
export function propertiesText(entry: Pick<DebuggerEvent, 'properties' | 'propertiesPreview'>) {
  if (entry.propertiesPreview !== undefined) return `${entry.propertiesPreview}… (cut)`;
  return JSON.stringify(entry.properties ?? {}, null, 2);
}

/** A refused body, pretty when it is whole JSON. */
export function bodyText(refusal: Pick<DebuggerRefusal, 'body' | 'truncated'>): string {
  if (refusal.truncated) return `${refusal.body}… (cut)`;
  try {
    return JSON.stringify(JSON.parse(refusal.body), null, 2);
  } catch {
    return refusal.body || '(empty or unreadable body)';
  }
}
