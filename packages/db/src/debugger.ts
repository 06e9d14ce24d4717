// The event debugger's rings: the last calls a workspace sent, accepted and refused, for a developer wiring an SDK.
import { Schema, type Connection, type Model } from 'mongoose';
import { DEBUGGER_LIMITS, type CairnEvent } from '@cairn/core';
import { isDuplicateKeyError, updateIfUnchanged } from './connection.js';
import { createCoalescer, type Coalescer } from './coalesce.js';

// The limits are the wire contract's too (the debugger query's `limit`); core holds them for both.
export { DEBUGGER_LIMITS };

export interface DebuggerEvent {
  receivedAt: number;
  type: string;
  event: string;
  userId?: string;
  anonymousId?: string;
  messageId: string;
  /** Properties (traits for identify) as JSON, cut at DEBUGGER_LIMITS.valueChars. */
  properties: string;
  truncated: boolean;
}

export interface DebuggerRefusal {
  at: number;
  method: string;
  path: string;
  status: number;
  title: string;
  detail?: string;
  errors: { path: string; message: string }[];
  /** The fields a filter matches, when the body said them. */
  userId?: string;
  anonymousId?: string;
  event?: string;
  /** The body as JSON (or text), cut at DEBUGGER_LIMITS.valueChars. */
  body: string;
  truncated: boolean;
}

type Kind = 'accepted' | 'refused';
type Entry = DebuggerEvent | DebuggerRefusal;

interface DebuggerPageDoc {
  _id: string; // `${workspaceId}:accepted` or `${workspaceId}:refused`
  workspaceId: string;
  rev: number;
  /** The entries as one JSON string: FerretDB rewrites a string far faster than 200 nested documents. */
  entries: string;
}

const debuggerPageSchema = new Schema<DebuggerPageDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    rev: { type: Number, default: 0 },
    entries: { type: String, default: '[]' },
  },
  { versionKey: false, minimize: false },
);

function debuggerPageModel(connection: Connection): Model<DebuggerPageDoc> {
  return (
    (connection.models.DebuggerPage as Model<DebuggerPageDoc> | undefined) ??
    connection.model<DebuggerPageDoc>('DebuggerPage', debuggerPageSchema, 'debugger_pages')
  );
}

/** JSON of `value`, cut to the limit so one large call cannot bloat the page. */
export function clippedJson(value: unknown): { text: string; truncated: boolean } {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  } catch {
    text = String(value);
  }
  if (text.length <= DEBUGGER_LIMITS.valueChars) return { text, truncated: false };
  return { text: text.slice(0, DEBUGGER_LIMITS.valueChars), truncated: true };
}

const MAX_ATTEMPTS = 5;
/** The page polls every 2 s, so a quarter second between writes of one page costs it nothing visible. */
const WRITE_GAP_MS = 250;

function entriesOf(page: { entries?: unknown } | null): Entry[] {
  if (typeof page?.entries !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(page.entries);
    return Array.isArray(parsed) ? (parsed as Entry[]) : [];
  } catch {
    return [];
  }
}

const coalescers = new WeakMap<Connection, Coalescer<Entry[]>>();

/** One write per page per round: concurrent requests' entries join the pending batch (see coalesce.ts). */
function coalescerOf(connection: Connection): Coalescer<Entry[]> {
  let coalescer = coalescers.get(connection);
  if (!coalescer) {
    coalescer = createCoalescer<Entry[]>(
      (into, next) => {
        into.unshift(...next);
        into.length = Math.min(into.length, DEBUGGER_LIMITS.accepted);
      },
      async (key, entries) => {
        const [workspaceId, kind] = JSON.parse(key) as [string, Kind];
        await prepend(connection, workspaceId, kind, entries);
        // At most a few writes a second per page and process, whatever the load: later calls merge meanwhile.
        await new Promise((resolve) => setTimeout(resolve, WRITE_GAP_MS).unref());
      },
    );
    coalescers.set(connection, coalescer);
  }
  return coalescer;
}

/** Read, prepend, cut, write if nobody wrote in between (API processes share the page); retried on a race. */
async function prepend(
  connection: Connection,
  workspaceId: string,
  kind: Kind,
  fresh: Entry[],
): Promise<void> {
  const Pages = debuggerPageModel(connection);
  const _id = `${workspaceId}:${kind}`;
  for (let attempt = 1; ; attempt++) {
    const page = await Pages.findById(_id, { rev: 1, entries: 1 }).lean();
    const rev = page?.rev ?? 0;
    const entries = [...fresh, ...entriesOf(page)].slice(0, DEBUGGER_LIMITS[kind]);
    try {
      const outcome = await updateIfUnchanged(
        connection,
        Pages,
        _id,
        { rev: page ? rev : { $exists: false } },
        { $set: { entries: JSON.stringify(entries), rev: rev + 1, workspaceId } },
        { upsert: !page },
      );
      if (outcome.matchedCount + outcome.upsertedCount > 0) return;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    if (attempt >= MAX_ATTEMPTS) return; // a debugger entry lost under heavy contention is not worth more
  }
}

/** Files accepted events, newest first; the caller does not wait on it for its acknowledgement. */
export async function recordDebuggerEvents(
  connection: Connection,
  workspaceId: string,
  events: CairnEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const entries: DebuggerEvent[] = events
    .slice(-DEBUGGER_LIMITS.accepted)
    .reverse()
    .map((e) => {
      const { text, truncated } = clippedJson(e.type === 'identify' ? e.traits : e.properties);
      return {
        receivedAt: e.receivedAt,
        type: e.type,
        event: e.event,
        ...(e.userId !== undefined ? { userId: e.userId } : {}),
        ...(e.anonymousId !== undefined ? { anonymousId: e.anonymousId } : {}),
        messageId: e.messageId,
        properties: text,
        truncated,
      };
    });
  await coalescerOf(connection).apply(JSON.stringify([workspaceId, 'accepted']), entries);
}

/** Files refused calls (or refused events of a batch), newest first. */
export async function recordDebuggerRefusals(
  connection: Connection,
  workspaceId: string,
  refusals: DebuggerRefusal[],
): Promise<void> {
  if (refusals.length === 0) return;
  const entries = refusals.slice(-DEBUGGER_LIMITS.refused).reverse();
  await coalescerOf(connection).apply(JSON.stringify([workspaceId, 'refused']), entries);
}

export interface DebuggerQuery {
  /** Matches userId or anonymousId, case-insensitive, anywhere in the id. */
  user?: string;
  /** Matches the event name, case-insensitive, anywhere in the name. */
  event?: string;
  limit?: number;
}

const contains = (value: string | undefined, needle: string | undefined) =>
  !needle || (value !== undefined && value.toLowerCase().includes(needle.toLowerCase()));

function matches(
  entry: { userId?: string; anonymousId?: string; event?: string },
  query: DebuggerQuery,
): boolean {
  const userMatches =
    !query.user || contains(entry.userId, query.user) || contains(entry.anonymousId, query.user);
  return userMatches && contains(entry.event, query.event);
}

/** The workspace's last accepted events and refused calls, newest first, filtered; two reads by `_id`. */
export async function readDebugger(
  connection: Connection,
  workspaceId: string,
  query: DebuggerQuery = {},
): Promise<{ events: DebuggerEvent[]; refused: DebuggerRefusal[] }> {
  const Pages = debuggerPageModel(connection);
  const [accepted, refused] = await Promise.all([
    Pages.findById(`${workspaceId}:accepted`, { entries: 1 }).lean(),
    Pages.findById(`${workspaceId}:refused`, { entries: 1 }).lean(),
  ]);
  const limit = query.limit ?? DEBUGGER_LIMITS.accepted;
  return {
    events: (entriesOf(accepted) as DebuggerEvent[])
      .filter((e) => matches(e, query))
      .slice(0, limit),
    refused: (entriesOf(refused) as DebuggerRefusal[])
      .filter((e) => matches(e, query))
      .slice(0, limit),
  };
}

/** Resolves once this process's debugger entries are written: a process closing its connection waits for it. */
export async function debuggerSettled(connection: Connection): Promise<void> {
  await coalescers.get(connection)?.settled();
}
