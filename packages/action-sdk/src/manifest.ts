import { z } from 'zod';
import { actionKey } from './define.js';
import type { ActionDefinition, ActionManifest, JsonValue } from './types.js';

/** The JSON the API serves and the designer draws its form from; never contains handler code. */
export function actionManifest(def: ActionDefinition): ActionManifest {
  return {
    type: def.type,
    version: def.version,
    title: def.title,
    description: def.description,
    category: def.category,
    icon: def.icon,
    outputs: def.outputs.map((o) => ({ name: o.name, label: o.label ?? o.name })),
    credentials: def.credentials.map((c) => ({ name: c.name, description: c.description })),
    uiHints: JSON.parse(JSON.stringify(def.uiHints)) as Record<string, JsonValue>,
    configJsonSchema: z.toJSONSchema(def.configSchema, { target: 'draft-7' }) as Record<
      string,
      unknown
    >,
  };
}

// zod types with no JSON Schema equivalent: the designer would draw a form that cannot produce them.
const UNREPRESENTABLE = new Set([
  'date',
  'bigint',
  'symbol',
  'undefined',
  'void',
  'map',
  'set',
  'function',
  'promise',
  'nan',
  'custom',
  'transform',
]);

interface ZodInternals {
  _zod: {
    def: Record<string, unknown> & {
      type: string;
      checks?: { _zod: { def: { check: string } } }[];
    };
  };
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function isZodSchema(value: unknown): value is ZodInternals {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/**
 * Lists the parts of a config schema that JSON Schema would drop or cannot express:
 * transforms, preprocess steps, .refine()/.superRefine() checks, dates and other non-JSON types.
 * An empty list means the designer's form validates exactly what the worker will accept.
 */
export function findJsonSchemaLosses(schema: z.ZodType): { path: string; problem: string }[] {
  const losses: { path: string; problem: string }[] = [];
  const visiting = new Set<unknown>();

  const walk = (node: unknown, path: string): void => {
    if (!isZodSchema(node) || visiting.has(node)) return;
    visiting.add(node);
    const def = node._zod.def;
    const here = path || '(root)';
    if (UNREPRESENTABLE.has(def.type)) {
      losses.push({
        path: here,
        problem: `z.${def.type}() cannot be expressed in JSON Schema; use a plain JSON type`,
      });
    }
    for (const check of def.checks ?? []) {
      if (check._zod.def.check === 'custom') {
        losses.push({
          path: here,
          problem:
            'a .refine()/.superRefine() check would be silently dropped; express it with JSON Schema keywords (min, max, regex, enum) or validate inside run()',
        });
      }
    }
    if (def.type === 'pipe') {
      // z.preprocess and .pipe() validate one shape and hand another to run(); a form only sees one side.
      const inner = def.in as ZodInternals | undefined;
      if (inner && inner._zod.def.type !== 'transform') {
        losses.push({
          path: here,
          problem: '.pipe() describes two shapes; JSON Schema shows only one',
        });
      }
      walk(def.in, path);
      walk(def.out, path);
      return;
    }
    if (def.type === 'object') {
      const shape = def.shape as Record<string, unknown>;
      for (const [key, child] of Object.entries(shape)) walk(child, join(path, key));
      walk(def.catchall, join(path, '*'));
      return;
    }
    if (def.type === 'lazy' && typeof def.getter === 'function') {
      walk((def.getter as () => unknown)(), path);
      return;
    }
    if (def.type === 'array') return walk(def.element, `${path}[]`);
    if (def.type === 'record') {
      walk(def.keyType, `${join(path, '*')} (key)`);
      return walk(def.valueType, join(path, '*'));
    }
    for (const [key, value] of Object.entries(def)) {
      if (key === 'checks') continue;
      if (isZodSchema(value)) walk(value, path);
      else if (Array.isArray(value))
        value.forEach((v, i) => walk(v, key === 'items' ? `${path}[${i}]` : path));
    }
  };

  walk(schema, '');
  if (losses.length === 0) {
    try {
      z.toJSONSchema(schema, { target: 'draft-7' });
    } catch (error) {
      losses.push({ path: '(root)', problem: (error as Error).message });
    }
  }
  return losses;
}

/** Throws, naming each field, when the action's config schema is not fully expressible as JSON Schema. */
export function assertLosslessJsonSchema(def: ActionDefinition): void {
  const losses = findJsonSchemaLosses(def.configSchema);
  if (losses.length > 0) {
    throw new Error(
      `${actionKey(def)} configSchema does not survive conversion to JSON Schema:\n` +
        losses.map((l) => `  ${l.path}: ${l.problem}`).join('\n'),
    );
  }
}
