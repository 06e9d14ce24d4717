import type { z } from 'zod';
import { PermanentActionError } from './errors.js';
import type {
  ActionContext,
  ActionDefinition,
  ActionDefinitionInput,
  ActionResult,
  ConfigProblem,
} from './types.js';

const TYPE_PATTERN = /^[a-z][A-Za-z0-9_-]*$/;
const OUTPUT_PATTERN = /^[a-z][A-Za-z0-9_-]*$/;

/**
 * Declares an action once: the designer reads its manifest, the worker runs its handler.
 * Throws at startup (not at send time) when the declaration itself is wrong.
 */
export function defineAction<Schema extends z.ZodType, Output extends string = 'next'>(
  input: ActionDefinitionInput<Schema, Output>,
): ActionDefinition<Schema, Output> {
  const where = `defineAction(${JSON.stringify(input.type)})`;
  if (typeof input.type !== 'string' || !TYPE_PATTERN.test(input.type)) {
    throw new Error(
      `${where}.type: must start with a lowercase letter and use only letters, digits, "-" or "_" (e.g. "email")`,
    );
  }
  if (!Number.isInteger(input.version) || input.version < 1) {
    throw new Error(`${where}.version: must be an integer ≥ 1`);
  }
  for (const field of ['title', 'description', 'icon'] as const) {
    if (typeof input[field] !== 'string' || input[field].trim() === '') {
      throw new Error(`${where}.${field}: must be a non-empty string`);
    }
  }
  if (!['message', 'data', 'flow', 'integration'].includes(input.category)) {
    throw new Error(`${where}.category: must be one of message, data, flow, integration`);
  }
  if (typeof input.configSchema?.safeParse !== 'function') {
    throw new Error(`${where}.configSchema: must be a zod schema`);
  }
  if (typeof input.run !== 'function') {
    throw new Error(`${where}.run: must be a function (ctx, config) => Promise<{ output }>`);
  }
  const outputs = (input.outputs ?? [{ name: 'next' as Output }]).map((o) => ({ ...o }));
  if (outputs.length === 0) throw new Error(`${where}.outputs: must declare at least one output`);
  const seen = new Set<string>();
  outputs.forEach((o, i) => {
    if (!OUTPUT_PATTERN.test(o.name)) {
      throw new Error(
        `${where}.outputs[${i}].name: must start with a lowercase letter and use only letters, digits, "-" or "_"`,
      );
    }
    if (seen.has(o.name))
      throw new Error(`${where}.outputs[${i}].name: "${o.name}" is declared twice`);
    seen.add(o.name);
  });
  (input.credentials ?? []).forEach((c, i) => {
    if (!c.name) throw new Error(`${where}.credentials[${i}].name: must be a non-empty string`);
  });
  return Object.freeze({
    type: input.type,
    version: input.version,
    title: input.title,
    description: input.description,
    category: input.category,
    icon: input.icon,
    configSchema: input.configSchema,
    outputs: Object.freeze(outputs),
    credentials: Object.freeze([...(input.credentials ?? [])]),
    uiHints: input.uiHints ?? {},
    run: input.run,
  });
}

/** `email@1`: how journeys pin an action and how errors name it. */
export function actionKey(def: { type: string; version: number }): string {
  return `${def.type}@${def.version}`;
}

/** Turns zod issues into `{ path, message }` with paths like `headers.Authorization` or `items[2].url`. */
export function configProblems(
  error: z.ZodError,
  schema?: z.ZodType,
  config?: unknown,
): ConfigProblem[] {
  return error.issues
    .flatMap((issue) => unionBranchIssues(issue, schema, config))
    .map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

type Issue = z.ZodError['issues'][number];

/**
 * "Invalid input" says nothing when a config matches none of a top-level union's shapes: report the
 * problems of the shape it was written for instead, the one with most of its required keys present
 * (ties: the first). The designer's JSON Schema validator picks the same way.
 */
function unionBranchIssues(issue: Issue, schema: z.ZodType | undefined, config: unknown): Issue[] {
  const options = (schema as { options?: unknown } | undefined)?.options;
  if (
    issue.code !== 'invalid_union' ||
    issue.path.length > 0 ||
    !Array.isArray(options) ||
    config === null ||
    typeof config !== 'object' ||
    issue.errors.length !== options.length
  )
    return [issue];
  const present = (key: string) => (config as Record<string, unknown>)[key] !== undefined;
  const requiredPresent = (option: unknown) => {
    const shape = (option as { shape?: Record<string, z.ZodType> }).shape ?? {};
    return Object.entries(shape).filter(([key, field]) => {
      return !field.safeParse(undefined).success && present(key);
    }).length;
  };
  let best = 0;
  options.forEach((option, i) => {
    if (requiredPresent(option) > requiredPresent(options[best])) best = i;
  });
  return issue.errors[best] ?? [issue];
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key))
      out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

export function validateActionConfig(def: ActionDefinition, config: unknown): ConfigProblem[] {
  const parsed = def.configSchema.safeParse(config);
  return parsed.success ? [] : configProblems(parsed.error, def.configSchema, config);
}

/**
 * What the worker's activity calls: parses config (defaults applied), runs the handler and
 * checks that it answered with a declared output. A bad config or output is a permanent failure.
 */
export async function executeAction(
  def: ActionDefinition,
  ctx: ActionContext,
  rawConfig: unknown,
): Promise<ActionResult> {
  const parsed = def.configSchema.safeParse(rawConfig);
  if (!parsed.success) {
    const problems = configProblems(parsed.error, def.configSchema, rawConfig)
      .map((p) => `${p.path || '(config)'}: ${p.message}`)
      .join('; ');
    throw new PermanentActionError(`${actionKey(def)} config is invalid: ${problems}`);
  }
  const answer = await def.run(ctx, parsed.data);
  const declared = def.outputs.map((o) => o.name);
  if (!answer || typeof answer.output !== 'string' || !declared.includes(answer.output)) {
    throw new PermanentActionError(
      `${actionKey(def)} returned output ${JSON.stringify(answer?.output)}, which it does not declare; declared outputs: ${declared.join(', ')}`,
    );
  }
  return answer.result === undefined
    ? { output: answer.output }
    : { output: answer.output, result: answer.result };
}
