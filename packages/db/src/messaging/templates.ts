import { randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { decodeDocumentKeys } from '../keys.js';
import { contactKey, contactModel } from '../models/contact.js';
import { loadProfile } from '../profiles.js';

export type TemplateChannel = 'email' | 'inApp';

/** What a marketer writes; email uses subject/html/text, in-app uses title/body. All fields are Liquid. */
export interface TemplateContent {
  name: string;
  channel: TemplateChannel;
  subject?: string;
  html?: string;
  text?: string;
  title?: string;
  body?: string;
}

const CONTENT_FIELDS = ['subject', 'html', 'text', 'title', 'body'] as const;

/** The head: the latest version of a template, what lists and journeys read. */
export interface TemplateDoc extends TemplateContent {
  /** `${workspaceId}:${templateId}`. */
  _id: string;
  workspaceId: string;
  templateId: string;
  /** Starts at 1; every save makes the next one. */
  version: number;
  deletedAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A frozen copy of one saved version, so a journey that used v3 can always show what v3 said. */
export interface TemplateVersionDoc extends TemplateContent {
  /** `${workspaceId}:${templateId}:${version}`. */
  _id: string;
  workspaceId: string;
  templateId: string;
  version: number;
  savedAt: Date;
}

const contentDefinition = {
  name: { type: String, required: true },
  channel: { type: String, required: true, enum: ['email', 'inApp'] },
  subject: String,
  html: String,
  text: String,
  title: String,
  body: String,
};

export const templateSchema = new Schema<TemplateDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true, index: true },
    templateId: { type: String, required: true },
    version: { type: Number, required: true },
    deletedAt: { type: Date, default: null },
    ...contentDefinition,
  },
  { timestamps: true, versionKey: false },
);

export const templateVersionSchema = new Schema<TemplateVersionDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    templateId: { type: String, required: true },
    version: { type: Number, required: true },
    savedAt: { type: Date, required: true },
    ...contentDefinition,
  },
  { versionKey: false },
);

export function templateModel(connection: Connection): Model<TemplateDoc> {
  return (
    (connection.models.Template as Model<TemplateDoc> | undefined) ??
    connection.model<TemplateDoc>('Template', templateSchema, 'templates')
  );
}

export function templateVersionModel(connection: Connection): Model<TemplateVersionDoc> {
  return (
    (connection.models.TemplateVersion as Model<TemplateVersionDoc> | undefined) ??
    connection.model<TemplateVersionDoc>(
      'TemplateVersion',
      templateVersionSchema,
      'template_versions',
    )
  );
}

const headKey = (workspaceId: string, templateId: string) => `${workspaceId}:${templateId}`;
const versionKey = (workspaceId: string, templateId: string, version: number) =>
  `${workspaceId}:${templateId}:${version}`;

function contentOf(source: TemplateContent): TemplateContent {
  const out: TemplateContent = { name: source.name, channel: source.channel };
  for (const field of CONTENT_FIELDS)
    if (typeof source[field] === 'string') out[field] = source[field];
  return out;
}

export interface TemplateView extends TemplateContent {
  id: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

function view(doc: TemplateDoc): TemplateView {
  return {
    id: doc.templateId,
    version: doc.version,
    ...contentOf(doc),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/**
 * Freezes the head's current content as its version document. Idempotent (a version's content never
 * changes), so it also repairs a save that crashed between updating the head and writing the copy.
 */
async function freezeVersion(connection: Connection, head: TemplateDoc): Promise<void> {
  const _id = versionKey(head.workspaceId, head.templateId, head.version);
  const content = contentOf(head);
  const unset = Object.fromEntries(
    CONTENT_FIELDS.filter((f) => content[f] === undefined).map((f) => [f, 1]),
  );
  await templateVersionModel(connection).updateOne(
    { _id },
    {
      $set: {
        workspaceId: head.workspaceId,
        templateId: head.templateId,
        version: head.version,
        ...content,
      },
      $setOnInsert: { savedAt: head.updatedAt },
      ...(Object.keys(unset).length ? { $unset: unset } : {}),
    },
    { upsert: true },
  );
}

export async function createTemplate(
  connection: Connection,
  workspaceId: string,
  content: TemplateContent,
): Promise<TemplateView> {
  const templateId = `tpl_${randomBytes(8).toString('hex')}`;
  const doc = (
    await templateModel(connection).create({
      _id: headKey(workspaceId, templateId),
      workspaceId,
      templateId,
      version: 1,
      ...contentOf(content),
    })
  ).toObject();
  await freezeVersion(connection, doc);
  return view(doc);
}

export type TemplateUpdateResult =
  | { ok: true; template: TemplateView }
  | { ok: false; reason: 'notFound' }
  | { ok: false; reason: 'conflict'; currentVersion: number };

/**
 * Saves new content as version n+1, conditional on the version read (no transactions on FerretDB).
 * With `baseVersion` a stale editor gets a conflict instead of silently overwriting a newer save.
 */
export async function updateTemplate(
  connection: Connection,
  workspaceId: string,
  templateId: string,
  content: TemplateContent,
  options: { baseVersion?: number } = {},
): Promise<TemplateUpdateResult> {
  const model = templateModel(connection);
  const _id = headKey(workspaceId, templateId);
  for (let attempt = 0; attempt < 10; attempt++) {
    const head = await model.findById(_id).lean();
    if (!head || head.workspaceId !== workspaceId || head.deletedAt)
      return { ok: false, reason: 'notFound' };
    if (options.baseVersion !== undefined && options.baseVersion !== head.version)
      return { ok: false, reason: 'conflict', currentVersion: head.version };
    await freezeVersion(connection, head);
    const next = contentOf(content);
    const unset = Object.fromEntries(
      CONTENT_FIELDS.filter((f) => next[f] === undefined).map((f) => [f, 1]),
    );
    const updated = await model
      .findOneAndUpdate(
        { _id, version: head.version },
        {
          $set: { ...next, version: head.version + 1 },
          ...(Object.keys(unset).length ? { $unset: unset } : {}),
        },
        { returnDocument: 'after' },
      )
      .lean();
    if (updated) {
      await freezeVersion(connection, updated);
      return { ok: true, template: view(updated) };
    }
  }
  const current = await model.findById(_id).lean();
  return { ok: false, reason: 'conflict', currentVersion: current?.version ?? 0 };
}

export async function getTemplate(
  connection: Connection,
  workspaceId: string,
  templateId: string,
): Promise<TemplateView | undefined> {
  const head = await templateModel(connection).findById(headKey(workspaceId, templateId)).lean();
  return head && head.workspaceId === workspaceId && !head.deletedAt ? view(head) : undefined;
}

export async function listTemplates(
  connection: Connection,
  workspaceId: string,
  filter: { channel?: TemplateChannel } = {},
): Promise<TemplateView[]> {
  const docs = await templateModel(connection)
    .find({ workspaceId, deletedAt: null, ...(filter.channel ? { channel: filter.channel } : {}) })
    .sort({ name: 1 })
    .lean();
  return docs.map(view);
}

export async function getTemplateVersion(
  connection: Connection,
  workspaceId: string,
  templateId: string,
  version: number,
  options: { includeDeleted?: boolean } = {},
): Promise<(TemplateContent & { id: string; version: number; savedAt: Date }) | undefined> {
  const head = await templateModel(connection).findById(headKey(workspaceId, templateId)).lean();
  if (!head || head.workspaceId !== workspaceId) return undefined;
  // Journeys pinned to a version keep sending it after the template leaves the library (decision 021).
  if (head.deletedAt && !options.includeDeleted) return undefined;
  // The head itself is the newest version even if its frozen copy was not written yet.
  if (version === head.version)
    return { id: templateId, version, ...contentOf(head), savedAt: head.updatedAt };
  const doc = await templateVersionModel(connection)
    .findById(versionKey(workspaceId, templateId, version))
    .lean();
  return doc ? { id: templateId, version, ...contentOf(doc), savedAt: doc.savedAt } : undefined;
}

/** Soft delete: journeys that used a version keep their frozen copy; lists and reads stop showing it. */
export async function deleteTemplate(
  connection: Connection,
  workspaceId: string,
  templateId: string,
): Promise<boolean> {
  const result = await templateModel(connection).updateOne(
    { _id: headKey(workspaceId, templateId), workspaceId, deletedAt: null },
    { $set: { deletedAt: new Date() } },
  );
  return result.matchedCount === 1;
}

/** Version numbers and when each was saved, newest first. */
export async function listTemplateVersions(
  connection: Connection,
  workspaceId: string,
  templateId: string,
): Promise<{ version: number; savedAt: Date }[] | undefined> {
  const head = await templateModel(connection).findById(headKey(workspaceId, templateId)).lean();
  if (!head || head.workspaceId !== workspaceId || head.deletedAt) return undefined;
  const docs = await templateVersionModel(connection)
    .find({ workspaceId, templateId }, { version: 1, savedAt: 1 })
    .sort({ version: -1 })
    .lean();
  const versions = docs.map((d) => ({ version: d.version, savedAt: d.savedAt }));
  if (!versions.some((v) => v.version === head.version))
    versions.unshift({ version: head.version, savedAt: head.updatedAt });
  return versions;
}

/** A stored contact as templates see it (`{{ contact.traits.firstName }}`), or undefined if unknown. */
export async function contactForTemplate(
  connection: Connection,
  workspaceId: string,
  contactId: string,
): Promise<
  { id: string; traits: Record<string, unknown>; profile: Record<string, unknown> } | undefined
> {
  const doc = await contactModel(connection)
    .findById(contactKey(workspaceId, contactId), {
      contactId: 1,
      traits: 1,
      profile: 1,
      workspaceId: 1,
      foldRev: 1,
      lastFoldIds: 1,
      mergedFrom: 1,
    })
    .lean();
  if (!doc || doc.workspaceId !== workspaceId) return undefined;
  return {
    id: doc.contactId,
    traits: decodeDocumentKeys(doc.traits ?? {}),
    profile: await loadProfile(connection, doc),
  };
}
