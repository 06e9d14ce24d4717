import type { RJSFSchema } from '@rjsf/utils';
import type { MessageTemplate } from '../api/client.js';
import {
  contentOf,
  emailContentMode,
  formSchemaFor,
  hasUnsavedChanges,
  messageTemplateField,
  pinnedTemplate,
  uiSchemaForShape,
  versionLabel,
  withEmailContentMode,
} from './templates.js';

// email@1's config as GET /api/v1/catalog/actions serves it (z.toJSONSchema of the zod union).
const emailSchema: RJSFSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  anyOf: [
    {
      type: 'object',
      properties: {
        subject: { type: 'string', minLength: 1 },
        html: { type: 'string', minLength: 1 },
        text: { type: 'string' },
        from: { type: 'string', minLength: 3 },
        replyTo: { type: 'string', minLength: 3 },
        templateId: { type: 'string' },
        template: { not: {} },
      },
      required: ['subject', 'html'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        template: {
          type: 'object',
          properties: { id: { type: 'string' }, version: { type: 'integer', minimum: 1 } },
          required: ['id', 'version'],
        },
        from: { type: 'string', minLength: 3 },
        replyTo: { type: 'string', minLength: 3 },
        subject: { not: {} },
        html: { not: {} },
        text: { not: {} },
      },
      required: ['template'],
      additionalProperties: false,
    },
  ],
};

const welcome: MessageTemplate = {
  id: 'tpl_1',
  version: 3,
  name: 'Welcome',
  channel: 'email',
  subject: 'Hi',
  html: '<p>Hi</p>',
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

describe('the email step content picker', () => {
  it('reads the mode and the pinned version from the config', () => {
    expect(emailContentMode({ subject: 'Hi', html: '<p/>' })).toBe('inline');
    expect(emailContentMode({ template: { id: 'tpl_1', version: 2 } })).toBe('template');
    expect(pinnedTemplate({ template: { id: 'tpl_1', version: 2 } })).toEqual({
      id: 'tpl_1',
      version: 2,
    });
    expect(pinnedTemplate({ subject: 'Hi' })).toBeUndefined();
  });

  it('switching to a template drops inline content, keeps the sender and pins the latest version', () => {
    const inline = { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi', from: 'A <a@a.test>' };
    expect(withEmailContentMode(inline, 'template', welcome)).toEqual({
      from: 'A <a@a.test>',
      template: { id: 'tpl_1', version: 3 },
    });
    expect(
      withEmailContentMode(
        { template: { id: 'tpl_1', version: 3 }, replyTo: 'r@a.test' },
        'inline',
      ),
    ).toEqual({ replyTo: 'r@a.test' });
  });

  it('gives the generic form the chosen shape without the picked or forbidden fields', () => {
    const inline = formSchemaFor(emailSchema, 'inline');
    expect(Object.keys(inline.properties ?? {})).toEqual([
      'subject',
      'html',
      'text',
      'from',
      'replyTo',
      'templateId',
    ]);
    expect(inline.required).toEqual(['subject', 'html']);
    const pinned = formSchemaFor(emailSchema, 'template');
    expect(Object.keys(pinned.properties ?? {})).toEqual(['from', 'replyTo']);
    expect(pinned.required).toBeUndefined();
    const ui = { 'ui:order': ['template', 'subject', 'html', 'text', 'from', 'replyTo', '*'] };
    expect(uiSchemaForShape(ui, pinned)['ui:order']).toEqual(['from', 'replyTo', '*']);
  });

  it('finds the field an action draws as a template picker', () => {
    expect(
      messageTemplateField({ widgets: { html: 'html-editor', template: 'message-template' } }),
    ).toBe('template');
    expect(messageTemplateField({ widgets: { html: 'html-editor' } })).toBeUndefined();
    expect(messageTemplateField(undefined)).toBeUndefined();
  });
});

describe('the template editor', () => {
  it('sends only the content of the channel, without an empty plain-text part', () => {
    expect(
      contentOf({ ...welcome, name: ' Welcome ', text: '  ', title: 'stray' } as MessageTemplate),
    ).toEqual({ name: 'Welcome', channel: 'email', subject: 'Hi', html: '<p>Hi</p>' });
  });

  it('knows when the draft differs from the saved version', () => {
    expect(hasUnsavedChanges(welcome, { ...welcome })).toBe(false);
    expect(hasUnsavedChanges(welcome, { ...welcome, html: '<p>Hello</p>' })).toBe(true);
    expect(hasUnsavedChanges(undefined, welcome)).toBe(true);
  });

  it('labels versions with their number, the latest, and when they were saved', () => {
    expect(versionLabel({ version: 3, savedAt: '2026-12-06T14:05:00Z' }, 3, 'UTC')).toBe(
      'v3 (latest) · 6 Dec, 14:05',
    );
    expect(versionLabel({ version: 1, savedAt: '2026-12-01T09:00:00Z' }, 3, 'UTC')).toBe(
      'v1 · 1 Dec, 09:00',
    );
  });
});
