import Form from '@rjsf/core';
import type { RJSFSchema } from '@rjsf/utils';
import type { JourneyNode } from '@cairn/core';
import type { DesignerCatalogEntry } from '../../catalog.js';
import { messageTemplateField } from '../../templates.js';
import { cspSafeValidator } from '../json-schema-validator.js';
import { MessageStepForm } from '../MessageStepForm.js';
import { STEP_WIDGETS } from './JourneyPickerWidget.js';
import { uiSchemaFromHints } from './ui-schema.js';

type ActionNode = Extract<JourneyNode, { kind: 'action' }>;

/** An action's config, drawn from the JSON Schema its manifest registers. */
export function ActionConfigForm({
  node,
  set,
  actionEntry,
}: {
  node: ActionNode;
  set: (patch: Partial<ActionNode>, field: string) => void;
  actionEntry: DesignerCatalogEntry | undefined;
}) {
  if (!actionEntry)
    return (
      <p className="error-box">
        This action ({node.action.type} v{node.action.version}) is not in the catalog.
      </p>
    );
  if (messageTemplateField(actionEntry.manifest.uiHints))
    return (
      <div className="rjsf" data-testid="action-config">
        <MessageStepForm
          schema={actionEntry.manifest.configJsonSchema as RJSFSchema}
          uiSchema={uiSchemaFromHints(actionEntry.manifest.uiHints)}
          field={messageTemplateField(actionEntry.manifest.uiHints) as string}
          config={node.config}
          onChange={(config) => set({ config }, 'config')}
        />
      </div>
    );
  return (
    <div className="rjsf" data-testid="action-config">
      {actionEntry.manifest.description && (
        <p className="muted small">{actionEntry.manifest.description}</p>
      )}
      <Form
        schema={actionEntry.manifest.configJsonSchema as RJSFSchema}
        uiSchema={uiSchemaFromHints(actionEntry.manifest.uiHints)}
        validator={cspSafeValidator}
        widgets={STEP_WIDGETS}
        formData={node.config}
        liveValidate="onChange"
        showErrorList={false}
        onChange={(e) => set({ config: (e.formData ?? {}) as Record<string, unknown> }, 'config')}
      />
    </div>
  );
}
