// What a simulated message would say: its Liquid rendered for the previewed contact, as the worker's email action renders it.
import { Liquid } from 'liquidjs';

/**
 * The data a template reads, the same shape as the worker's `templateScope` (packages/actions/src/liquid.ts):
 * `{{ contact.traits.firstName }}`, `{{ contact.profile... }}`, `{{ journey.id }}`, `{{ unsubscribeUrl }}`.
 */
export type PreviewScope = {
  contact: { id: string; traits: Record<string, unknown>; profile: Record<string, unknown> };
  journey: { id: string; version: number; runId: string; nodeId: string };
  unsubscribeUrl: string;
};

/** One rendered field; `error` when the template itself is broken (the worker would fail the step). */
export type RenderedField = { field: string; text: string; error?: string };

export type MessagePreview = {
  fields: RenderedField[];
  /** Variables the templates read that the contact does not have ("contact.traits.firstName"): they render empty. */
  missing: string[];
};

/** Link shown in place of the real, signed unsubscribe link, which only the worker can make. */
export const PREVIEW_UNSUBSCRIBE_URL = '#unsubscribe-link-preview';

// The same sandbox as the worker's engine: no file system, own properties only, and render limits.
const options = {
  templates: {},
  relativeReference: false,
  ownPropertyOnly: true,
  strictFilters: true,
  strictVariables: false,
  parseLimit: 200_000,
  renderLimit: 2_000,
  memoryLimit: 20_000_000,
} as const;
const htmlEngine = new Liquid({ ...options, outputEscape: 'escape' });
const textEngine = new Liquid(options);

/** Fields an email carries, with the engine the worker renders each one with (HTML output is escaped). */
const EMAIL_FIELDS: { field: string; engine: Liquid }[] = [
  { field: 'subject', engine: textEngine },
  { field: 'html', engine: htmlEngine },
  { field: 'text', engine: textEngine },
];

/**
 * Reads a path the way Liquid does, including its `.first`, `.last` and `.size` on lists. Answers the index
 * of the first segment with no value (the path's length when all have one), so a missing `contact.traits.titles`
 * is named once rather than again as `.first` and `.size`.
 */
function resolvedDepth(scope: unknown, path: (string | number)[]): number {
  let value = scope;
  for (const [depth, key] of path.entries()) {
    if (Array.isArray(value) && (key === 'first' || key === 'last' || key === 'size')) {
      value = key === 'size' ? value.length : value[key === 'first' ? 0 : value.length - 1];
    } else if (typeof value === 'string' && key === 'size') {
      value = value.length;
    } else if (
      value !== null &&
      typeof value === 'object' &&
      Object.prototype.hasOwnProperty.call(value, key)
    ) {
      value = (value as Record<string | number, unknown>)[key];
    } else {
      return depth;
    }
    // A trait set to null renders empty just like an absent one.
    if (value === undefined || value === null) return depth;
  }
  return path.length;
}

/** `contact.profile.events["Video Watched"].recent`, as a marketer would write it in a template. */
function formatPath(path: (string | number)[]): string {
  return path
    .map((key, i) =>
      typeof key === 'number'
        ? `[${key}]`
        : /^[A-Za-z_][\w-]*$/.test(key)
          ? `${i > 0 ? '.' : ''}${key}`
          : `[${JSON.stringify(key)}]`,
    )
    .join('');
}

/** Reads of data the scope does not have, as dotted paths. Variables a template assigns itself are not counted. */
function missingVariables(engine: Liquid, template: string, scope: PreviewScope): string[] {
  const missing: string[] = [];
  for (const segments of engine.globalVariableSegmentsSync(template)) {
    // A computed index (`list[i]`) cannot be checked without running the template: stop the path before it.
    const path: (string | number)[] = [];
    for (const s of segments) {
      if (typeof s !== 'string' && typeof s !== 'number') break;
      path.push(s);
    }
    const depth = resolvedDepth(scope, path);
    if (depth < path.length) missing.push(formatPath(path.slice(0, depth + 1)));
  }
  return missing;
}

/**
 * Renders the subject and bodies of a simulated email for the previewed contact. Nothing here is sent;
 * a broken template is reported on its field rather than thrown, so the rest of the preview still shows.
 */
export function renderMessagePreview(
  config: Record<string, unknown>,
  scope: PreviewScope,
): MessagePreview {
  const fields: RenderedField[] = [];
  const missing = new Set<string>();
  for (const { field, engine } of EMAIL_FIELDS) {
    const template = config[field];
    if (typeof template !== 'string' || template.trim() === '') continue;
    try {
      const rendered = String(engine.parseAndRenderSync(template, scope));
      fields.push({
        field,
        text: field === 'subject' ? rendered.replace(/\s+/g, ' ').trim() : rendered,
      });
      for (const path of missingVariables(engine, template, scope)) missing.add(path);
    } catch (error) {
      fields.push({ field, text: template, error: (error as Error).message });
    }
  }
  return { fields, missing: [...missing].sort() };
}
