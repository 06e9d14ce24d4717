import {
  createErrorHandler,
  toErrorSchema,
  unwrapErrorHandler,
  validationDataMerge,
} from '@rjsf/utils';
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
 * JSON Schema checks for action config forms, interpreted rather than compiled: ajv compiles schemas with
 * `new Function`, which the API's Content-Security-Policy (script-src 'self') rightly forbids. Covers what
 * `z.toJSONSchema` emits for action configs (draft-07: types, strings, numbers, enums, objects, records,
 * arrays, anyOf/oneOf/allOf, local $ref). A property with a `default` may be left out, as the action
 * fills it in, so the designer and the API agree on what is missing.
 */
export type SchemaError = {
  path: string[];
  keyword: string;
  message: string;
  params?: Record<string, unknown>;
};

type Schema = RJSFSchema | boolean;

const typeOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};
const matchesType = (value: unknown, type: string) => {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
};
const article = (type: string) =>
  type === 'array'
    ? 'a list'
    : type === 'object'
      ? 'an object'
      : type === 'integer'
        ? 'a whole number'
        : `a ${type}`;

function resolveRef(ref: string, root: RJSFSchema): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let current: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current as Schema | undefined;
}

const deepEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every way `value` breaks `schema`, each with the path of the offending value. */
export function schemaErrors(
  schema: Schema,
  value: unknown,
  root: RJSFSchema = typeof schema === 'object' ? schema : {},
  path: string[] = [],
): SchemaError[] {
  if (schema === true) return [];
  if (schema === false) return [{ path, keyword: 'false', message: 'is not allowed here' }];
  const errors: SchemaError[] = [];
  const add = (keyword: string, message: string, params?: Record<string, unknown>) =>
    errors.push({ path, keyword, message, ...(params ? { params } : {}) });

  if (typeof schema.$ref === 'string') {
    const target = resolveRef(schema.$ref, root);
    if (target === undefined)
      add('$ref', `refers to ${schema.$ref}, which the schema does not define`);
    else errors.push(...schemaErrors(target, value, root, path));
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      add('type', `must be ${types.map(article).join(' or ')}`, { type: types.join(',') });
      return errors; // the rest only make sense for the right type
    }
  }
  if (schema.const !== undefined && !deepEqual(value, schema.const))
    add('const', `must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.some((option) => deepEqual(option, value))) {
    add('enum', `must be one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}`, {
      allowedValues: schema.enum,
    });
  }

  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      add(
        'minLength',
        schema.minLength === 1
          ? 'must not be empty'
          : `must be at least ${schema.minLength} characters`,
        { limit: schema.minLength },
      );
    if (schema.maxLength !== undefined && length > schema.maxLength)
      add('maxLength', `must be at most ${schema.maxLength} characters`, {
        limit: schema.maxLength,
      });
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
      add('pattern', `must match ${schema.pattern}`, { pattern: schema.pattern });
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      add('minimum', `must be ≥ ${schema.minimum}`, { limit: schema.minimum });
    if (schema.maximum !== undefined && value > schema.maximum)
      add('maximum', `must be ≤ ${schema.maximum}`, { limit: schema.maximum });
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum)
      add('exclusiveMinimum', `must be > ${schema.exclusiveMinimum}`);
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum)
      add('exclusiveMaximum', `must be < ${schema.exclusiveMaximum}`);
    if (
      schema.multipleOf !== undefined &&
      Math.abs(value / schema.multipleOf - Math.round(value / schema.multipleOf)) > 1e-9
    )
      add('multipleOf', `must be a multiple of ${schema.multipleOf}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      add('minItems', `must have at least ${schema.minItems} item(s)`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      add('maxItems', `must have at most ${schema.maxItems} item(s)`);
    if (schema.items !== undefined && !Array.isArray(schema.items)) {
      value.forEach((item, i) =>
        errors.push(...schemaErrors(schema.items as Schema, item, root, [...path, String(i)])),
      );
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const properties = schema.properties ?? {};
    for (const name of schema.required ?? []) {
      const property = properties[name];
      const hasDefault = typeof property === 'object' && property.default !== undefined;
      if (record[name] === undefined && !hasDefault)
        errors.push({
          path: [...path, name],
          keyword: 'required',
          message: 'is required',
          params: { missingProperty: name },
        });
    }
    for (const [name, item] of Object.entries(record)) {
      if (item === undefined) continue;
      if (schema.propertyNames !== undefined) {
        for (const e of schemaErrors(schema.propertyNames as Schema, name, root, []))
          add('propertyNames', `name "${name}" ${e.message}`, { propertyName: name });
      }
      const declared = properties[name];
      if (declared !== undefined)
        errors.push(...schemaErrors(declared as Schema, item, root, [...path, name]));
      else if (schema.additionalProperties === false)
        add(
          'additionalProperties',
          `has a field "${name}" that this action does not know — remove it`,
          { additionalProperty: name },
        );
      else if (schema.additionalProperties !== undefined && schema.additionalProperties !== true) {
        errors.push(
          ...schemaErrors(schema.additionalProperties as Schema, item, root, [...path, name]),
        );
      }
    }
  }

  for (const part of schema.allOf ?? [])
    errors.push(...schemaErrors(part as Schema, value, root, path));
  if (schema.anyOf) {
    const failures = schema.anyOf.map((option) =>
      schemaErrors(option as Schema, value, root, path),
    );
    if (!failures.some((f) => f.length === 0)) {
      const best = intendedOption(schema.anyOf as Schema[], value);
      if (best === undefined) add('anyOf', 'does not match any of the allowed shapes');
      else errors.push(...(failures[best] ?? []));
    }
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter(
      (option) => schemaErrors(option as Schema, value, root, path).length === 0,
    ).length;
    if (matching !== 1)
      add(
        'oneOf',
        matching === 0
          ? 'does not match any of the allowed shapes'
          : 'matches more than one of the allowed shapes',
      );
  }
  if (
    schema.not !== undefined &&
    schemaErrors(schema.not as Schema, value, root, path).length === 0
  )
    add(
      'not',
      // `not: {}` is how z.never() says a field must be absent.
      typeof schema.not === 'object' && Object.keys(schema.not).length === 0
        ? 'must be left out'
        : 'must not match this shape',
    );
  return errors;
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
    let errors = schemaErrors(schema, formData ?? {}, schema).map(toRjsfError);
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    const data: ValidationData<unknown> = { errors, errorSchema: toErrorSchema(errors) };
    if (!customValidate) return data;
    const handler = customValidate(formData, createErrorHandler(formData), uiSchema);
    return validationDataMerge(data, unwrapErrorHandler(handler));
  },
  isValid(schema: RJSFSchema, formData: unknown, rootSchema: RJSFSchema) {
    return schemaErrors(schema, formData, rootSchema).length === 0;
  },
  rawValidation<Result>(schema: RJSFSchema, formData?: unknown) {
    return { errors: schemaErrors(schema, formData, schema) as Result[] };
  },
};
