// An example value for a JSON Schema of the OpenAPI document, so every body and answer shows one.

/** A JSON Schema object as it appears in the OpenAPI document. */
export type JsonSchema = Record<string, unknown>;

/** Deeper than any answer a reader wants to see; recursive schemas (condition groups) stop here. */
const MAX_DEPTH = 12;

/** Strings a reader recognises, by the property's name; any other string reads as its name. */
const NAMED_STRINGS: [RegExp, string][] = [
  [/^(timestamp|originalTimestamp)$|[a-z]At$/, '2026-01-15T09:00:00.000Z'],
  [/^(email|to|address|from)$/i, 'ana@example.com'],
  [/^(timezone|defaultTimezone)$/, 'Europe/Paris'],
  [/^event$/, 'Order Completed'],
  [/^(userId|contactId)$/, 'user-1'],
  [/^anonymousId$/, 'anon-1'],
  [/^(messageId)$/, 'msg-1'],
  [/^segmentId$/, 'seg_1a2b3c4d'],
  [/^journeyId$/, 'jny_1a2b3c4d'],
  [/^templateId$/, 'tpl_1a2b3c4d'],
  [/^(id|nodeId)$/, 'id_1a2b3c4d'],
  [/Id$/, 'id_1a2b3c4d'],
  [/^(name|title|label)$/, 'Win-back'],
  // Quiet hours and other times of day are "HH:mm".
  [/^start$/, '21:00'],
  [/^end$/, '08:00'],
  [/^(subject)$/, 'We miss you, {{ contact.traits.firstName }}'],
  [/^html$/, '<p>Hello {{ contact.traits.firstName }}</p>'],
  [/^(url|link|href|webhookUrl)$/i, 'https://example.com/hook'],
  [/^(password)$/, 'correct horse battery staple'],
  [/^(currency)$/, 'EUR'],
];

const FORMATS: Record<string, string> = {
  'date-time': '2026-01-15T09:00:00.000Z',
  date: '2026-01-15',
  time: '09:00:00',
  email: 'ana@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '3f1c2a9e-6b7d-4c1e-9a2b-5d8e7f6a1b2c',
};

function refTarget(ref: string, components: Record<string, JsonSchema>): JsonSchema | undefined {
  const name = ref.replace('#/components/schemas/', '');
  return components[name];
}

function isNull(schema: JsonSchema): boolean {
  return schema.type === 'null';
}

/** `{ not: {} }` is zod's never: a property that must be left out. */
function isNever(schema: JsonSchema): boolean {
  return (
    typeof schema.not === 'object' && schema.not !== null && Object.keys(schema.not).length === 0
  );
}

function stringExample(schema: JsonSchema, name: string | undefined): string {
  if (typeof schema.format === 'string' && FORMATS[schema.format]) return FORMATS[schema.format]!;
  const named = name ? NAMED_STRINGS.find(([pattern]) => pattern.test(name))?.[1] : undefined;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  const fit = (text: string) => text.padEnd(min, 'x').slice(0, max);
  const first = fit(named ?? name ?? 'text');
  if (typeof schema.pattern !== 'string') return first;
  // A pattern the name does not match (a slug, a key): the first plain word it does.
  const pattern = new RegExp(schema.pattern, 'u');
  return [first, ...PATTERN_TRIES.map(fit)].find((text) => pattern.test(text)) ?? first;
}

const PATTERN_TRIES = ['example', 'example_1', 'EXAMPLE', 'example-1', '1'];

function numberExample(schema: JsonSchema): number {
  const integer = schema.type === 'integer';
  const step = integer ? 1 : 0.5;
  let value = 1;
  if (typeof schema.minimum === 'number') value = Math.max(value, schema.minimum);
  if (typeof schema.exclusiveMinimum === 'number')
    value = Math.max(value, schema.exclusiveMinimum + step);
  if (typeof schema.maximum === 'number') value = Math.min(value, schema.maximum);
  if (typeof schema.exclusiveMaximum === 'number')
    value = Math.min(value, schema.exclusiveMaximum - step);
  return integer ? Math.ceil(value) : value;
}

/**
 * A value the schema accepts, read from its own `examples`, `default`, `const` or `enum` when it has
 * one, else built from its type: required properties always, optional ones near the top, one item per
 * list, strings by the property's name. `components` resolves `$ref`.
 */
export function exampleOf(
  schema: JsonSchema,
  components: Record<string, JsonSchema>,
  name?: string,
  depth = 0,
  level = 0,
): unknown {
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (typeof schema.$ref === 'string') {
    const target = refTarget(schema.$ref, components);
    // A recursive schema (a condition group inside a group) ends in an empty list or object.
    if (!target || depth > MAX_DEPTH) return undefined;
    return exampleOf(target, components, name, depth + 1, level);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const choice = (options as JsonSchema[]).find((o) => !isNull(o) && !isNever(o));
      if (choice) return exampleOf(choice, components, name, depth + 1, level);
      return null;
    }
  }
  if (Array.isArray(schema.allOf)) {
    const parts = (schema.allOf as JsonSchema[]).map((part) =>
      exampleOf(part, components, name, depth + 1, level),
    );
    return parts.every((p) => p && typeof p === 'object' && !Array.isArray(p))
      ? Object.assign({}, ...parts)
      : parts[0];
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type];
  const type =
    types.find((t) => t !== 'null') ??
    (schema.properties ? 'object' : schema.items ? 'array' : undefined);
  switch (type) {
    case 'string':
      return stringExample(schema, name);
    case 'integer':
    case 'number':
      return numberExample(schema);
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      if (Array.isArray(schema.prefixItems))
        return (schema.prefixItems as JsonSchema[]).map((item) =>
          exampleOf(item, components, name, depth + 1, level + 1),
        );
      const items = schema.items as JsonSchema | undefined;
      if (!items || depth > MAX_DEPTH) return [];
      const item = exampleOf(items, components, singular(name), depth + 1, level + 1);
      const count = Math.max(1, typeof schema.minItems === 'number' ? schema.minItems : 0);
      return item === undefined ? [] : Array.from({ length: count }, () => item);
    }
    case 'object':
      return objectExample(schema, components, depth, level);
    default:
      // Any value at all (a customer's own property): a string reads best.
      return name ? stringExample({}, name) : 'value';
  }
}

function singular(name: string | undefined): string | undefined {
  return name?.replace(/ies$/, 'y').replace(/s$/, '');
}

function objectExample(
  schema: JsonSchema,
  components: Record<string, JsonSchema>,
  depth: number,
  level: number,
): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(properties)) {
    // Optional fields near the top show what can be sent; deeper down they would drown the example.
    if (!required.has(key) && (level > 2 || isNever(property))) continue;
    const value = exampleOf(property, components, key, depth + 1, level + 1);
    if (value !== undefined) out[key] = value;
  }
  const extra = schema.additionalProperties;
  if (
    Object.keys(properties).length === 0 &&
    extra &&
    typeof extra === 'object' &&
    !isNever(extra as JsonSchema)
  ) {
    const value = exampleOf(extra as JsonSchema, components, 'value', depth + 1, level + 1);
    if (value !== undefined) out.key = value;
  }
  return out;
}
