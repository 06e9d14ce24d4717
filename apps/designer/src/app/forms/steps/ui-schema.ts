import type { UiSchema } from '@rjsf/utils';

/** Action manifests carry neutral hints ({ order, widgets }); rjsf wants its own 'ui:' keys. */
export function uiSchemaFromHints(hints: Record<string, unknown> | undefined): UiSchema {
  const ui: UiSchema = { 'ui:submitButtonOptions': { norender: true } };
  if (Array.isArray(hints?.['order'])) ui['ui:order'] = [...(hints['order'] as string[]), '*'];
  const widgets = hints?.['widgets'];
  if (widgets && typeof widgets === 'object') {
    for (const [field, widget] of Object.entries(widgets as Record<string, string>)) {
      // Long text (HTML bodies, plain-text parts) is easier to write in a textarea.
      if (widget === 'textarea' || widget === 'html-editor')
        ui[field] = {
          'ui:widget': 'textarea',
          'ui:options': { rows: widget === 'html-editor' ? 6 : 3 },
        };
      // Pickers drawn by the designer's own widgets (forms/steps/JourneyPickerWidget).
      if (widget === 'journey-picker') ui[field] = { 'ui:widget': widget, 'ui:title': 'Journey' };
    }
  }
  return ui;
}
