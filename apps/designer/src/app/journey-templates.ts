// The "Start from a template" form: what it prefills, what it still needs, and the draft it creates.
import { instantiateTemplate } from '@cairn/core';
import type { JourneyDefinition, JourneyTemplate, TemplateParameter } from '@cairn/core';

export type TemplateValues = Record<string, string>;

/** A parameter with no default has nothing sensible to fall back on (a segment, say): the marketer must choose. */
export function isRequired(parameter: TemplateParameter): boolean {
  return parameter.default === undefined || parameter.default === '';
}

/** The form as it first opens: every default filled in, so only the choices the template cannot guess are blank. */
export function initialValues(template: JourneyTemplate): TemplateValues {
  return Object.fromEntries(template.parameters.map((p) => [p.key, p.default ?? '']));
}

/** Labels of the required parameters still blank (whitespace counts as blank), in the form's order. */
export function missingParameters(template: JourneyTemplate, values: TemplateValues): string[] {
  return template.parameters
    .filter((p) => isRequired(p) && !(values[p.key] ?? '').trim())
    .map((p) => p.label);
}

/**
 * The journey to create: named after the template, its `{{key}}` placeholders filled. A blank optional field
 * falls back to the template's default rather than writing an empty link or code into the emails.
 * Throws (with the template's own message) when a value does not fit, e.g. a heavy-buyer threshold of "abc".
 */
export function draftFromTemplate(
  template: JourneyTemplate,
  values: TemplateValues,
): { name: string; definition: JourneyDefinition } {
  const given: TemplateValues = {};
  for (const p of template.parameters) {
    const value = (values[p.key] ?? '').trim();
    if (value) given[p.key] = value;
  }
  return { name: template.title, definition: instantiateTemplate(template, given) };
}
