import { Schema, type Connection, type Model } from 'mongoose';
import type { ContactProfile, MembershipState, ProfileSummary } from '@cairn/core';

/** A contact's membership of one segment (core's MembershipState: since, version, member page, revision). */
export type SegmentMembershipState = MembershipState;

/**
 * The summary as the contact document stores it. What other writes set or projections read on their own
 * stays a field (`traits`, set by trait updates; `rfm`, set by the RFM job; `lastSeenAt`, shown in member
 * lists); the rest (event counts, purchases, products, categories, engagement...) is one packed value, for
 * the same reason as the activity (profiles.ts): FerretDB's work per write grows with the number of fields.
 */
export interface StoredProfileSummary {
  traits: Record<string, unknown>;
  lastSeenAt?: number;
  rfm?: ContactProfile['rfm'];
  packed: Buffer | { buffer: Uint8Array };
}

/** The applied messageIds a contact remembers, whichever form its document holds them in. */
export function recentEventIdsOf(doc: Pick<ContactDoc, 'recentIds' | 'recentEventIds'>): string[] {
  return doc.recentIds !== undefined
    ? (JSON.parse(doc.recentIds) as string[])
    : (doc.recentEventIds ?? []);
}

/** The messageIds of a contact's last fold, whichever form its document holds them in. */
export function lastFoldIdsOf(
  doc: Pick<ContactDoc, 'recentIds' | 'recentEventIds' | 'lastFoldIds' | 'lastFoldCount'>,
): string[] {
  if (doc.lastFoldIds) return doc.lastFoldIds;
  return doc.lastFoldCount ? recentEventIdsOf(doc).slice(-doc.lastFoldCount) : [];
}

/** The prefix of a contact id made from an anonymousId (a contact not identified yet). */
export const ANONYMOUS_PREFIX = 'anon:';

export interface ContactDoc {
  /** `${workspaceId}:${contactId}`: hot lookups are by _id, the one lookup FerretDB pushes down. */
  _id: string;
  workspaceId: string;
  contactId: string;
  /** Set when the contact was identified only by an anonymousId. */
  anonymous: boolean;
  traits: Record<string, unknown>;
  tags: string[];
  /**
   * The profile's summary (see profiles.ts; its per-day series and occurrences are in `contact_activity`).
   * Contacts written before that split hold the whole profile here and have no foldRev.
   */
  profile: StoredProfileSummary | ProfileSummary | ContactProfile;
  /**
   * The last applied messageIds (JSON of a list): folding skips them, so a replay never counts twice. One
   * string, not a list, so the engine handles one field where it would handle fifty (see profiles.ts).
   */
  recentIds?: string;
  /** The same ids as a list, in documents written before `recentIds`; a fold replaces it. */
  recentEventIds?: string[];
  /** How many folds changed this profile; the activity document is stamped with the fold it belongs to. */
  foldRev?: number;
  /** The messageIds of the last fold: enough to bring an activity left one fold behind by a crash up to date. */
  lastFoldIds?: string[];
  /** How many of the remembered ids (`recentIds`, newest last) the last fold applied; replaces lastFoldIds. */
  lastFoldCount?: number;
  /** The pending-fold markers the last fold applied, and earlier ones still pending: the sweeper skips these. */
  lastFoldMarkers?: string[];
  /** Optimistic-concurrency revision: every write is conditional on the revision it read. */
  rev: number;
  /** segmentId → membership; a contact can be in many segments at once. */
  segments: Record<string, SegmentMembershipState>;
  /** Earliest instant at which some segment answer can change with no new event (the sweeper's due time). */
  nextEvaluationAt?: number | null;
  subscriptions: Record<string, 'subscribed' | 'unsubscribed'>;
  /**
   * The contact-directory pages that list this contact's search tokens (`${page}\t${token}`, see
   * contact-directory.ts); absent on contacts filed only by the directory's one-off build.
   */
  searchEntries?: string[];
  /** When this anonymous contact was merged into an identified one. */
  mergedInto?: string;
  /** Contacts merged into this one: their stored events keep their own contactId. */
  mergedFrom?: string[];
  /** The bulk write that last applied a guarded update to it: by-id.ts tells its own writes apart by it. */
  writeToken?: string;
  createdAt: Date;
  updatedAt: Date;
}

export const contactSchema = new Schema<ContactDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true, index: true },
    contactId: { type: String, required: true },
    anonymous: { type: Boolean, default: false },
    traits: { type: Schema.Types.Mixed, default: {} },
    tags: { type: [String], default: [] },
    profile: { type: Schema.Types.Mixed, required: true },
    recentIds: { type: String },
    recentEventIds: { type: [String], default: undefined },
    foldRev: { type: Number },
    lastFoldIds: { type: [String], default: undefined },
    lastFoldCount: { type: Number },
    lastFoldMarkers: { type: [String], default: undefined },
    rev: { type: Number, default: 0 },
    segments: { type: Schema.Types.Mixed, default: {} },
    nextEvaluationAt: { type: Number, default: null },
    subscriptions: { type: Schema.Types.Mixed, default: {} },
    searchEntries: { type: [String], default: undefined },
    mergedInto: { type: String },
    mergedFrom: { type: [String], default: undefined },
    writeToken: { type: String },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

export function contactKey(workspaceId: string, contactId: string): string {
  return `${workspaceId}:${contactId}`;
}

export function contactModel(connection: Connection): Model<ContactDoc> {
  return (
    (connection.models.Contact as Model<ContactDoc> | undefined) ??
    connection.model<ContactDoc>('Contact', contactSchema, 'contacts')
  );
}
