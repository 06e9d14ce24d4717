import {
  createErrorHandler,
  toErrorSchema,
  unwrapErrorHandler,
  validationDataMerge,
} from '@rjsf/utils';
import { Validator } from '@cfworker/json-schema';
import type { OutputUnit, Schema as CfSchema } from '@cfworker/json-schema';
import type {
  CustomValidator,
  ErrorTransformer,
  RJSFSchema,
  RJSFValidationError,
  UiSchema,
  ValidationData,
  ValidatorType,
} from '@rjsf/utils';

/**
 * JSON Schema checks for action config forms, by @cfworker/json-schema: ajv compiles schemas with
 * `new Function`, which the API's Content-Security-Policy (script-src 'self') rightly forbids; cfworker
 * interprets them. This file only turns its findings into messages a marketer can act on, each with the
 * path of the offending field. A property with a `default` may be left out, as the action fills it in,
 * so the designer and the API agree on what is missing.
 */
export type SchemaError = {
  path: string[];
  keyword: string;
  message: string;
  params?: Record<string, unknown>;
};

type Schema = RJSFSchema | boolean;

const article = (type: string) =>
  type === 'array'
    ? 'a list'
    : type === 'object'
      ? 'an object'
      : type === 'integer'
        ? 'a whole number'
        : `a ${type}`;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The same schema without `required` entries whose property has a default. */
function withOptionalDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withOptionalDefaults);
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = withOptionalDefaults(value);
  const properties = node['properties'];
  if (Array.isArray(node['required']) && isObject(properties))
    out['required'] = (node['required'] as string[]).filter((name) => {
      const property = properties[name];
      return !(isObject(property) && property['default'] !== undefined);
    });
  return out;
}

const validators = new WeakMap<object, Validator>();
function validatorFor(schema: RJSFSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    // Draft 7 is what the action SDK's z.toJSONSchema writes; all errors, not just the first.
    validator = new Validator(withOptionalDefaults(schema) as CfSchema, '7', false);
    validators.set(schema, validator);
  }
  return validator;
}

/** '#/a/b~1c' → ['a', 'b/c'] (cfworker encodes each segment with encodeURI). */
function pointerSegments(pointer: string): string[] {
  return pointer
    .replace(/^#/, '')
    .split('/')
    .filter(Boolean)
    .map((raw) => {
      let part = raw;
      try {
        part = decodeURIComponent(raw);
      } catch {
        // a segment that is not percent-encoding stays as written
      }
      return part.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** The schema value at a keyword location, following local $refs on the way. */
function schemaAt(root: RJSFSchema, keywordLocation: string): unknown {
  let current: unknown = root;
  for (const part of pointerSegments(keywordLocation)) {
    if (!isObject(current) && !Array.isArray(current)) return undefined;
    const record = current as Record<string, unknown>;
    if (part === '$ref' && typeof record['$ref'] === 'string')
      current = schemaAt(root, record['$ref']);
    else current = record[part];
  }
  return current;
}

/** Every way `value` breaks `schema`, each with the path of the offending value. */
export function schemaErrors(schema: Schema, value: unknown): SchemaError[] {
  if (schema === true) return [];
  if (schema === false) return [{ path: [], keyword: 'false', message: 'is not allowed here' }];
  let found: OutputUnit[];
  try {
    found = validatorFor(schema).validate(value).errors;
  } catch (error) {
    // cfworker throws on a $ref the schema does not define: a broken manifest, not a bad value.
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return [{ path: [], keyword: '$ref', message: `cannot be checked: ${message}` }];
  }

  // Keyword locations whose errors say nothing a marketer can act on: the shapes of a union the
  // value was not written for, and whatever else a value of the wrong type breaks.
  const hidden: { prefix: string; except?: OutputUnit }[] = [];
  for (const e of found) {
    if (e.keyword === 'anyOf') {
      const options = schemaAt(schema, e.keywordLocation) as Schema[];
      const best = intendedOption(options, valueAt(value, pointerSegments(e.instanceLocation)));
      options.forEach((_, i) => {
        if (i !== best) hidden.push({ prefix: `${e.keywordLocation}/${i}/` });
      });
    } else if (e.keyword === 'oneOf') hidden.push({ prefix: `${e.keywordLocation}/` });
    else if (e.keyword === 'type')
      hidden.push({ prefix: e.keywordLocation.replace(/\/type$/, '/'), except: e });
  }
  const isHidden = (e: OutputUnit) =>
    hidden.some(({ prefix, except }) => e !== except && e.keywordLocation.startsWith(prefix));
  const refused = new Set<string>();
  const errors: { error: SchemaError; order: string[] }[] = [];

  for (const e of found) {
    if (isHidden(e)) continue;
    const path = pointerSegments(e.instanceLocation);
    const at = schemaAt(schema, e.keywordLocation);
    const add = (message: string, params?: Record<string, unknown>, order = path) =>
      errors.push({
        error: { path, keyword: e.keyword, message, ...(params ? { params } : {}) },
        order,
      });
    const inPropertyName = /\/propertyNames(\/|$)/.test(e.keywordLocation);
    if (inPropertyName && e.keyword !== 'propertyNames') {
      // The instance is the name itself: say it at the object, where the name was written.
      const name = path[path.length - 1] ?? '';
      const message = messageFor(e, at);
      if (message)
        errors.push({
          error: {
            path: path.slice(0, -1),
            keyword: 'propertyNames',
            message: `name "${name}" ${message}`,
            params: { propertyName: name },
          },
          order: path,
        });
      continue;
    }
    switch (e.keyword) {
      case 'required': {
        const name = /required property "(.*)"\.$/s.exec(e.error)?.[1] ?? '';
        errors.push({
          error: {
            path: [...path, name],
            keyword: 'required',
            message: 'is required',
            params: { missingProperty: name },
          },
          // Missing fields first, as the form lists them before what is filled in.
          order: [...path, ''],
        });
        break;
      }
      case 'additionalProperties': {
        if (at !== false) break;
        const name = /^Property "(.*)" does not match/s.exec(e.error)?.[1] ?? '';
        refused.add(`${e.instanceLocation}/${name}`);
        add(
          `has a field "${name}" that this action does not know — remove it`,
          { additionalProperty: name },
          [...path, name],
        );
        break;
      }
      case 'false':
        if (!refused.has(`#/${path.map(escapeSegment).join('/')}`)) add('is not allowed here');
        break;
      case 'anyOf':
        if (isAnyOfWithoutIntent(e, schema, value)) add('does not match any of the allowed shapes');
        break;
      default: {
        const message = messageFor(e, at);
        if (message) add(message, paramsFor(e.keyword, at));
      }
    }
  }
  const rank = (order: string[], level: number, record: unknown): number[] => {
    if (level >= order.length) return [];
    const keys = isObject(record) || Array.isArray(record) ? Object.keys(record) : [];
    const part = order[level]!;
    const index = part === '' ? -1 : keys.indexOf(part);
    const next = isObject(record) || Array.isArray(record) ? (record as never)[part] : undefined;
    return [index, ...rank(order, level + 1, next)];
  };
  const compare = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  };
  // In the order the fields are written, as the hand-rolled checks reported them.
  return errors
    .map((e) => ({ ...e, rank: rank(e.order, 0, value) }))
    .sort((a, b) => compare(a.rank, b.rank))
    .map((e) => e.error);
}

const escapeSegment = (part: string) =>
  encodeURI(part.replace(/~/g, '~0').replace(/\//g, '~1')).replace(/#/g, '%23');

function valueAt(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (current, part) =>
      isObject(current) || Array.isArray(current) ? (current as never)[part] : undefined,
    value,
  );
}

function isAnyOfWithoutIntent(e: OutputUnit, root: RJSFSchema, value: unknown): boolean {
  const options = schemaAt(root, e.keywordLocation) as Schema[];
  return intendedOption(options, valueAt(value, pointerSegments(e.instanceLocation))) === undefined;
}

function paramsFor(keyword: string, at: unknown): Record<string, unknown> | undefined {
  if (keyword === 'type') return { type: ([] as unknown[]).concat(at).join(',') };
  if (keyword === 'enum') return { allowedValues: at };
  if (keyword === 'pattern') return { pattern: at };
  if (['minLength', 'maxLength', 'minimum', 'maximum'].includes(keyword)) return { limit: at };
  return undefined;
}

/** A marketer's sentence for one failed keyword, from the keyword's own value in the schema. */
function messageFor(e: OutputUnit, at: unknown): string | undefined {
  switch (e.keyword) {
    case 'type':
      return `must be ${([] as string[])
        .concat(at as string)
        .map(article)
        .join(' or ')}`;
    case 'const':
      return `must be ${JSON.stringify(at)}`;
    case 'enum':
      return `must be one of ${(at as unknown[]).map((o) => JSON.stringify(o)).join(', ')}`;
    case 'minLength':
      return at === 1 ? 'must not be empty' : `must be at least ${String(at)} characters`;
    case 'maxLength':
      return `must be at most ${String(at)} characters`;
    case 'pattern':
      return `must match ${String(at)}`;
    case 'format':
      return `must be a valid ${String(at)}`;
    case 'minimum':
      return `must be ≥ ${String(at)}`;
    case 'maximum':
      return `must be ≤ ${String(at)}`;
    case 'exclusiveMinimum':
      return `must be > ${String(at)}`;
    case 'exclusiveMaximum':
      return `must be < ${String(at)}`;
    case 'multipleOf':
      return `must be a multiple of ${String(at)}`;
    case 'minItems':
      return `must have at least ${String(at)} item(s)`;
    case 'maxItems':
      return `must have at most ${String(at)} item(s)`;
    case 'oneOf':
      return /\(0 matches\)/.test(e.error)
        ? 'does not match any of the allowed shapes'
        : 'matches more than one of the allowed shapes';
    case 'not':
      // `not: {}` is how z.never() says a field must be absent.
      return isObject(at) && Object.keys(at).length === 0
        ? 'must be left out'
        : 'must not match this shape';
    case 'false':
      return 'is not allowed here';
    default:
      // Wrappers (properties, items, allOf, …) only announce the errors that follow them.
      return undefined;
  }
}

/**
 * The object shape a value was written for: most of its required fields present (ties: the first), so
 * "subject is required" is said instead of "matches no shape". The action SDK picks the same way.
 */
function intendedOption(options: Schema[], value: unknown): number | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (options.some((o) => typeof o !== 'object' || o.type !== 'object')) return undefined;
  const present = (o: Schema) =>
    typeof o === 'object'
      ? (o.required ?? []).filter((k) => (value as Record<string, unknown>)[k] !== undefined).length
      : 0;
  let best = 0;
  options.forEach((o, i) => {
    if (present(o) > present(options[best] as Schema)) best = i;
  });
  return best;
}

const toRjsfError = (error: SchemaError): RJSFValidationError => {
  const property = error.path.length ? `.${error.path.join('.')}` : '';
  return {
    name: error.keyword,
    property,
    message: error.message,
    params: error.params ?? {},
    stack: `${property ? `${property.slice(1)} ` : ''}${error.message}`,
  };
};

/** An @rjsf ValidatorType over `schemaErrors`, for `<Form validator={…}>`. */
export const cspSafeValidator: ValidatorType = {
  validateFormData(
    formData: unknown,
    schema: RJSFSchema,
    customValidate?: CustomValidator,
    transformErrors?: ErrorTransformer,
    uiSchema?: UiSchema,
  ): ValidationData<unknown> {
    let errors = schemaErrors(schema, formData ?? {}).map(toRjsfError);
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    const data: ValidationData<unknown> = { errors, errorSchema: toErrorSchema(errors) };
    if (!customValidate) return data;
    const handler = customValidate(formData, createErrorHandler(formData), uiSchema);
    return validationDataMerge(data, unwrapErrorHandler(handler));
  },
  isValid(schema: RJSFSchema, formData: unknown, rootSchema: RJSFSchema) {
    // rjsf asks about sub-schemas of the form's schema; their $refs point into the root.
    const scoped =
      schema === rootSchema
        ? schema
        : {
            ...schema,
            ...(rootSchema.definitions ? { definitions: rootSchema.definitions } : {}),
            ...(rootSchema['$defs'] ? { $defs: rootSchema['$defs'] as unknown } : {}),
          };
    return schemaErrors(scoped as RJSFSchema, formData).length === 0;
  },
  rawValidation<Result>(schema: RJSFSchema, formData?: unknown) {
    return { errors: schemaErrors(schema, formData) as Result[] };
  },
};
