import type { RJSFSchema } from '@rjsf/utils';
import { cspSafeValidator, schemaErrors } from './json-schema-validator.js';

// As GET /api/v1/catalog/actions serves them (z.toJSONSchema of the built-in email@1, inAppMessage@1 and webhook@1 configs).
const email: RJSFSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    subject: { type: 'string', minLength: 1 },
    html: { type: 'string', minLength: 1 },
    from: { type: 'string', minLength: 3 },
  },
  required: ['subject', 'html'],
  additionalProperties: false,
};
const inApp: RJSFSchema = {
  type: 'object',
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200 },
    cta: {
      type: 'object',
      properties: {
        label: { type: 'string', minLength: 1 },
        url: { type: 'string', pattern: '^(https?:\\/\\/|\\/)' },
      },
      required: ['label', 'url'],
      additionalProperties: false,
    },
    expiresAfterDays: { type: 'integer', minimum: 1, maximum: 365 },
  },
  required: ['title'],
  additionalProperties: false,
};
const webhook: RJSFSchema = {
  type: 'object',
  properties: {
    method: { default: 'POST', type: 'string', enum: ['GET', 'POST'] },
    url: { type: 'string', pattern: '^https?:\\/\\/[^\\s/]+' },
    headers: {
      default: {},
      type: 'object',
      propertyNames: { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
      additionalProperties: { type: 'string' },
    },
    traits: {
      type: 'object',
      additionalProperties: {
        anyOf: [
          { type: 'string' },
          { type: 'number' },
          { type: 'array', items: { type: ['string', 'number'] } },
        ],
      },
    },
  },
  required: ['method', 'url', 'headers'],
  additionalProperties: false,
};

const problems = (schema: RJSFSchema, value: unknown) =>
  schemaErrors(schema, value).map((e) => `${e.path.join('.')}: ${e.message}`);

describe('schemaErrors', () => {
  it('accepts a complete email and names each missing or empty field', () => {
    expect(
      problems(email, { subject: 'Hi {{ contact.traits.firstName }}', html: '<p>Hello</p>' }),
    ).toEqual([]);
    expect(problems(email, { subject: '' })).toEqual([
      'html: is required',
      'subject: must not be empty',
    ]);
    expect(problems(email, { subject: 'Hi', html: 'x', from: 'a', templateid: 'typo' })).toEqual([
      'from: must be at least 3 characters',
      ': has a field "templateid" that this action does not know — remove it',
    ]);
  });

  it('checks nested objects, patterns, whole numbers and ranges', () => {
    expect(
      problems(inApp, { title: 'Tip', cta: { label: 'Go', url: '/reports' }, expiresAfterDays: 7 }),
    ).toEqual([]);
    expect(
      problems(inApp, {
        title: 'Tip',
        cta: { label: 'Go', url: 'reports' },
        expiresAfterDays: 1.5,
      }),
    ).toEqual([
      'cta.url: must match ^(https?:\\/\\/|\\/)',
      'expiresAfterDays: must be a whole number',
    ]);
    expect(problems(inApp, { title: 'x'.repeat(201), expiresAfterDays: 400 })).toEqual([
      'title: must be at most 200 characters',
      'expiresAfterDays: must be ≤ 365',
    ]);
  });

  it('lets fields with a default be left out, as the action fills them in, and checks records and unions', () => {
    expect(problems(webhook, { url: 'https://hooks.acme.test/cairn' })).toEqual([]);
    expect(
      problems(webhook, {
        url: 'ftp://x',
        method: 'PUT',
        headers: { 'Bad Header': 'v', ok: 1 },
        traits: { plan: 'pro', seats: [1, 'a'], nested: { no: 1 } },
      }),
    ).toEqual([
      'url: must match ^https?:\\/\\/[^\\s/]+',
      'method: must be one of "GET", "POST"',
      'headers: name "Bad Header" must match ' + "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
      'headers.ok: must be a string',
      'traits.nested: does not match any of the allowed shapes',
    ]);
  });

  it('follows local $refs', () => {
    const schema: RJSFSchema = {
      definitions: { day: { type: 'integer', minimum: 1 } },
      type: 'object',
      properties: { wait: { $ref: '#/definitions/day' } },
    };
    expect(problems(schema, { wait: 0 })).toEqual(['wait: must be ≥ 1']);
  });
});

describe('cspSafeValidator (for @rjsf forms)', () => {
  it('reports errors by field so the form shows them under the right input', () => {
    const result = cspSafeValidator.validateFormData({ subject: '' }, email);
    expect(result.errors.map((e) => e.property)).toEqual(['.html', '.subject']);
    expect(result.errorSchema.subject?.__errors).toEqual(['must not be empty']);
    expect(cspSafeValidator.isValid(email, { subject: 'a', html: 'b' }, email)).toBe(true);
  });

  it('reports the problems of the shape a union value was written for, not "matches no shape"', () => {
    // email@1 as z.toJSONSchema writes its union: content written in the step, or a pinned template.
    const emailUnion: RJSFSchema = {
      anyOf: [
        {
          type: 'object',
          properties: {
            subject: { type: 'string', minLength: 1 },
            html: { type: 'string', minLength: 1 },
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
              properties: {
                id: { type: 'string', minLength: 1 },
                version: { type: 'integer', minimum: 1 },
              },
              required: ['id', 'version'],
              additionalProperties: false,
            },
            subject: { not: {} },
            html: { not: {} },
          },
          required: ['template'],
          additionalProperties: false,
        },
      ],
    };
    const paths = (value: unknown) =>
      schemaErrors(emailUnion, value).map((e) => `${e.path.join('.')}: ${e.message}`);
    expect(paths({})).toEqual(['subject: is required', 'html: is required']);
    expect(paths({ subject: 'Hi' })).toEqual(['html: is required']);
    expect(paths({ template: { id: 'tpl_1', version: 0 } })).toEqual([
      'template.version: must be ≥ 1',
    ]);
    expect(paths({ template: { id: 'tpl_1', version: 2 } })).toEqual([]);
    expect(
      paths({ template: { id: 'tpl_1', version: 2 }, subject: 'Hi', html: '<p>Hi</p>' }),
    ).toEqual(['template: must be left out']);
  });
});
