// Pure helpers of the Templates page and the email step's content picker (tested without a DOM).
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import type { MessageTemplate, MessageTemplateContent } from '../api/client.js';

/** An email step either writes its content or sends a saved template pinned to a version. */
export type EmailContentMode = 'inline' | 'template';
export type PinnedTemplate = { id: string; version: number };

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export function emailContentMode(config: Record<string, unknown>): EmailContentMode {
  return isObject(config.template) ? 'template' : 'inline';
}

export function pinnedTemplate(config: Record<string, unknown>): PinnedTemplate | undefined {
  const t = config.template;
  return isObject(t) && typeof t.id === 'string' && typeof t.version === 'number'
    ? { id: t.id, version: t.version }
    : undefined;
}

const INLINE_FIELDS = ['subject', 'html', 'text', 'templateId'];

/**
 * The step's config in the other mode: the content of the mode left is dropped (a step may not have
 * both), sender fields stay. Switching to a template pins the latest version of `pick` when given.
 */
export function withEmailContentMode(
  config: Record<string, unknown>,
  mode: EmailContentMode,
  pick?: MessageTemplate,
): Record<string, unknown> {
  const rest = Object.fromEntries(
    Object.entries(config).filter(([k]) => k !== 'template' && !INLINE_FIELDS.includes(k)),
  );
  if (mode === 'inline') return rest;
  return { ...rest, template: { id: pick?.id ?? '', version: pick?.version ?? 1 } };
}

/** The shape of the chosen mode for the generic form, without the fields the picker draws or forbids. */
export function formSchemaFor(schema: RJSFSchema, mode: EmailContentMode): RJSFSchema {
  const options = (schema.anyOf ?? [schema]).filter(isObject) as RJSFSchema[];
  const isTemplateShape = (o: RJSFSchema) =>
    (o.required ?? []).includes('template') ||
    (isObject(o.properties?.template) && !('not' in o.properties.template));
  const chosen =
    options.find((o) => (mode === 'template' ? isTemplateShape(o) : !isTemplateShape(o))) ??
    options[0] ??
    {};
  const properties = Object.fromEntries(
    Object.entries(chosen.properties ?? {}).filter(
      ([name, p]) => name !== 'template' && !(isObject(p) && 'not' in p),
    ),
  );
  const required = (chosen.required ?? []).filter((name) => name in properties);
  const out: RJSFSchema = { ...chosen, properties, required };
  if (!required.length) delete out.required;
  if (schema.$schema) out.$schema = schema.$schema;
  return out;
}

/** rjsf refuses a ui:order naming fields the schema lacks, so the order keeps only the shape's own. */
export function uiSchemaForShape(ui: UiSchema, schema: RJSFSchema): UiSchema {
  const order = ui['ui:order'] as string[] | undefined;
  if (!order) return ui;
  const fields = Object.keys(schema.properties ?? {});
  return { ...ui, 'ui:order': order.filter((f) => f === '*' || fields.includes(f)) };
}

/** The action field drawn as a template picker (`uiHints.widgets[field] === 'message-template'`). */
export function messageTemplateField(
  hints: Record<string, unknown> | undefined,
): string | undefined {
  const widgets = hints?.['widgets'];
  if (!isObject(widgets)) return undefined;
  return Object.entries(widgets).find(([, w]) => w === 'message-template')?.[0];
}

/** What a save sends: the content fields only, email or in-app, without empty optional parts. */
export function contentOf(t: MessageTemplateContent): MessageTemplateContent {
  const out: MessageTemplateContent = { name: t.name.trim(), channel: t.channel };
  const fields =
    t.channel === 'email' ? (['subject', 'html', 'text'] as const) : (['title', 'body'] as const);
  for (const f of fields) {
    const value = t[f];
    if (value !== undefined && (f !== 'text' || value.trim() !== '')) out[f] = value;
  }
  return out;
}

/** Unsaved changes: the draft's content differs from the version it was opened at. */
export function hasUnsavedChanges(
  saved: MessageTemplateContent | undefined,
  draft: MessageTemplateContent,
): boolean {
  if (!saved) return true;
  return JSON.stringify(contentOf(saved)) !== JSON.stringify(contentOf(draft));
}

/** "v2 · 6 Dec, 14:05", with "latest" on the head. */
export function versionLabel(
  v: { version: number; savedAt: string },
  latest: number,
  timeZone?: string,
): string {
  const when = new Date(v.savedAt).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  });
  return `v${v.version}${v.version === latest ? ' (latest)' : ''} · ${when}`;
}

export const BLANK_EMAIL: MessageTemplateContent = {
  name: '',
  channel: 'email',
  subject: 'Hi {{ contact.traits.firstName | default: "there" }}',
  html: '<p>Hi {{ contact.traits.firstName | default: "there" }},</p>\n<p></p>',
};

/** The Liquid a marketer reaches for most, shown beside the editor. */
export const PERSONALISATION: { liquid: string; says: string }[] = [
  { liquid: '{{ contact.traits.firstName }}', says: 'a trait of the contact' },
  {
    liquid: '{{ contact.traits.firstName | default: "there" }}',
    says: 'a fallback when it is empty',
  },
  { liquid: '{{ contact.profile.purchases.orderCount }}', says: 'a figure from the profile' },
  { liquid: '{% if contact.traits.plan == "pro" %}…{% endif %}', says: 'a part for some contacts' },
  { liquid: '{{ unsubscribeUrl }}', says: 'the one-click unsubscribe link' },
];
