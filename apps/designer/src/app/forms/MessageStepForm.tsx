import Form from '@rjsf/core';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { TemplatePreview } from '../pages/TemplatePreview.js';
import { useTemplates, useTemplateVersions } from '../../api/queries.js';
import {
  emailContentMode,
  formSchemaFor,
  pinnedTemplate,
  uiSchemaForShape,
  withEmailContentMode,
  type EmailContentMode,
  type PinnedTemplate,
} from '../templates.js';
import { cspSafeValidator } from './json-schema-validator.js';
import { Field, Select } from './inputs.js';
import { MESSAGE_FIELD_WORDS } from './message-words.js';
import { PersonalisationHelp } from './PersonalisationHelp.js';

type Config = Record<string, unknown>;

function inWords(ui: UiSchema): UiSchema {
  const out: UiSchema = { ...ui };
  for (const [field, words] of Object.entries(MESSAGE_FIELD_WORDS))
    out[field] = {
      ...(ui[field] as UiSchema | undefined),
      'ui:title': words.title,
      ...(words.help ? { 'ui:description': words.help } : {}),
    };
  return out;
}

/** A saved email template and the version the step sends; a newer version is offered, never taken silently. */
function TemplatePick({
  pinned,
  onPin,
}: {
  pinned: PinnedTemplate;
  onPin: (pinned: PinnedTemplate) => void;
}) {
  const templates = useTemplates('email');
  const list = templates.data?.templates ?? [];
  const chosen = list.find((t) => t.id === pinned.id);
  const versions = useTemplateVersions(pinned.id, chosen?.version ?? pinned.version);
  if (templates.data && list.length === 0)
    return (
      <p className="muted small" data-testid="no-templates">
        No email templates yet. Write one on the <a href="#/templates">Templates</a> page.
      </p>
    );
  return (
    <>
      <Field label="Template">
        <Select
          testId="email-template"
          value={pinned.id}
          options={[
            { value: '', label: 'Pick a template…' },
            ...list.map((t) => ({ value: t.id, label: t.name })),
          ]}
          onChange={(id) =>
            onPin({ id, version: list.find((t) => t.id === id)?.version ?? pinned.version })
          }
        />
      </Field>
      {pinned.id && (
        <Field
          label="Version"
          hint="The step sends this version; saving the template again does not change it."
        >
          <Select
            testId="email-template-version"
            value={String(pinned.version)}
            options={(versions.data?.versions ?? [{ version: pinned.version }]).map((v) => ({
              value: String(v.version),
              label: `Version ${v.version}${v.version === chosen?.version ? ' (latest)' : ''}`,
            }))}
            onChange={(v) => onPin({ id: pinned.id, version: Number(v) })}
          />
        </Field>
      )}
      {chosen && chosen.version > pinned.version && (
        <p className="notice small" data-testid="newer-template-version">
          Version {chosen.version} is newer.{' '}
          <button
            className="link"
            onClick={() => onPin({ id: chosen.id, version: chosen.version })}
          >
            Use it
          </button>
        </p>
      )}
      {pinned.id && (
        <p className="small">
          <a href={`#/templates/${encodeURIComponent(pinned.id)}`}>Open in Templates</a>
        </p>
      )}
    </>
  );
}

/**
 * The form of an action whose content can come from the template library (email@1): write it here or
 * pick a saved template pinned to a version; the rest of the config is drawn from the manifest as usual.
 */
export function MessageStepForm({
  schema,
  uiSchema,
  field,
  config,
  onChange,
}: {
  schema: RJSFSchema;
  uiSchema: UiSchema;
  /** The config field holding `{ id, version }`. */
  field: string;
  config: Config;
  onChange: (config: Config) => void;
}) {
  const mode = emailContentMode(config);
  const pinned = pinnedTemplate(config) ?? { id: '', version: 1 };
  const shape = formSchemaFor(schema, mode);
  const { [field]: _picked, ...rest } = config;
  return (
    <>
      <Field label="Content">
        <Select<EmailContentMode>
          testId="email-content-mode"
          value={mode}
          options={[
            { value: 'inline', label: 'Write it in this step' },
            { value: 'template', label: 'Use a saved template' },
          ]}
          onChange={(next) => onChange(withEmailContentMode(config, next))}
        />
      </Field>
      {mode === 'template' && (
        <TemplatePick
          pinned={pinned}
          onPin={(next) => onChange({ ...withEmailContentMode(config, 'template'), [field]: next })}
        />
      )}
      <Form
        schema={shape}
        uiSchema={inWords(uiSchemaForShape(uiSchema, shape))}
        validator={cspSafeValidator}
        formData={rest}
        liveValidate="onChange"
        showErrorList={false}
        onChange={(e) =>
          onChange({
            ...((e.formData ?? {}) as Config),
            ...(mode === 'template' ? { [field]: pinned } : {}),
          })
        }
      />
      {mode === 'inline' && <PersonalisationHelp />}
      {mode === 'template' && pinned.id && (
        <TemplatePreview request={{ templateId: pinned.id, version: pinned.version }} />
      )}
    </>
  );
}
