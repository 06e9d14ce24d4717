import { z } from 'zod';
import {
  ActionRegistry,
  PermanentActionError,
  RetryableActionError,
  actionManifest,
  assertLosslessJsonSchema,
  defineAction,
  findJsonSchemaLosses,
  isPermanentActionError,
} from '../src/index.js';
import { runActionForTest } from '../src/testing.js';

const tagAction = (version = 1) =>
  defineAction({
    type: 'tagContact',
    version,
    title: 'Tag contact',
    description: 'Adds a tag',
    category: 'data',
    icon: 'tag',
    configSchema: z.object({
      tag: z.string().min(1, 'must not be empty'),
      times: z.number().int().min(1).default(1),
    }),
    outputs: [{ name: 'tagged', label: 'Tagged' }, { name: 'skipped' }],
    run: async (ctx, config) => {
      if (ctx.contact.traits.vip === true) return { output: 'skipped', result: { reason: 'vip' } };
      await ctx.services.updateContact(ctx.contact.id, { addTags: [config.tag] });
      return { output: 'tagged', result: { times: config.times } };
    },
  });

describe('defineAction', () => {
  it('defaults to a single "next" output', () => {
    const def = defineAction({
      type: 'noop',
      version: 1,
      title: 'No-op',
      description: 'Does nothing',
      category: 'flow',
      icon: 'circle',
      configSchema: z.object({}),
      run: async () => ({ output: 'next' }),
    });
    expect(def.outputs.map((o) => o.name)).toEqual(['next']);
  });

  it('rejects a bad declaration with the field and the fix', () => {
    const base = {
      title: 'T',
      description: 'D',
      category: 'data' as const,
      icon: 'x',
      configSchema: z.object({}),
      run: async () => ({ output: 'next' as const }),
    };
    expect(() => defineAction({ ...base, type: 'Bad Type', version: 1 })).toThrow(
      /type: must start with a lowercase letter/,
    );
    expect(() => defineAction({ ...base, type: 'ok', version: 0 })).toThrow(
      /version: must be an integer ≥ 1/,
    );
    expect(() =>
      defineAction({
        ...base,
        type: 'ok',
        version: 1,
        outputs: [{ name: 'a' }, { name: 'a' }] as never,
      }),
    ).toThrow(/outputs\[1\]\.name: "a" is declared twice/);
  });
});

describe('actionManifest', () => {
  it('is plain JSON with a draft-7 schema of the config, and no handler', () => {
    const manifest = actionManifest(tagAction());
    expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
    expect(manifest).not.toHaveProperty('run');
    expect(manifest.configJsonSchema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(manifest.configJsonSchema).toMatchObject({
      properties: { tag: { type: 'string', minLength: 1 }, times: { type: 'integer', default: 1 } },
    });
    expect(manifest.outputs).toEqual([
      { name: 'tagged', label: 'Tagged' },
      { name: 'skipped', label: 'skipped' },
    ]);
  });
});

describe('assertLosslessJsonSchema', () => {
  const withSchema = (configSchema: z.ZodType) =>
    defineAction({
      type: 'x',
      version: 1,
      title: 'X',
      description: 'X',
      category: 'data',
      icon: 'x',
      configSchema,
      run: async () => ({ output: 'next' }),
    });

  it('accepts plain JSON-expressible schemas', () => {
    expect(() => assertLosslessJsonSchema(tagAction())).not.toThrow();
    expect(() =>
      assertLosslessJsonSchema(
        withSchema(
          z.object({
            a: z.enum(['x', 'y']),
            b: z.array(z.string().regex(/^\d+$/)).max(3),
            c: z.record(z.string(), z.number()).optional(),
          }),
        ),
      ),
    ).not.toThrow();
  });

  it.each([
    [
      'a refinement',
      z.object({ url: z.string().refine((v) => v.startsWith('https')) }),
      /url: a \.refine\(\)/,
    ],
    [
      'a nested superRefine',
      z.object({ items: z.array(z.object({ n: z.number() }).superRefine(() => undefined)) }),
      /items\[\]: a \.refine\(\)/,
    ],
    ['a transform', z.object({ n: z.string().transform((v) => v.length) }), /n: z\.transform\(\)/],
    ['a date', z.object({ at: z.date() }), /at: z\.date\(\)/],
    [
      'a preprocess step',
      z.object({ n: z.preprocess((v) => Number(v), z.number()) }),
      /n: z\.transform\(\)/,
    ],
  ])('refuses %s, naming the field', (_label, schema, message) => {
    expect(() => assertLosslessJsonSchema(withSchema(schema))).toThrow(message);
  });

  it('lists every loss, not only the first', () => {
    const losses = findJsonSchemaLosses(
      z.object({ a: z.date(), b: z.string().refine(() => true) }),
    );
    expect(losses.map((l) => l.path)).toEqual(['a', 'b']);
  });
});

describe('ActionRegistry', () => {
  it('keeps several versions of one type side by side', () => {
    const registry = new ActionRegistry([tagAction(1), tagAction(2)]);
    expect(registry.get('tagContact', 1).version).toBe(1);
    expect(registry.get('tagContact', 2).version).toBe(2);
    expect(registry.manifests().map((m) => `${m.type}@${m.version}`)).toEqual([
      'tagContact@1',
      'tagContact@2',
    ]);
    expect(() => registry.get('tagContact', 3)).toThrow(
      'unknown action tagContact@3; registered versions of tagContact: 1, 2',
    );
    expect(() => registry.register(tagAction(2))).toThrow(
      /tagContact@2 is already registered; publish a changed action as version 3/,
    );
  });

  it('validates config with field paths', () => {
    const registry = new ActionRegistry([tagAction()]);
    expect(registry.validateConfig('tagContact', 1, { tag: 'vip' })).toEqual([]);
    expect(registry.validateConfig('tagContact', 1, { tag: '', times: 0 })).toEqual([
      { path: 'tag', message: 'must not be empty' },
      { path: 'times', message: expect.stringContaining('>=1') },
    ]);
    expect(registry.validateConfig('nope', 1, {})[0]?.message).toMatch(/unknown action nope@1/);
  });

  it('serves the journey validator a catalog of outputs', () => {
    const catalog = new ActionRegistry([tagAction()]).catalog();
    expect(catalog('tagContact', 1)?.outputs).toEqual(['tagged', 'skipped']);
    expect(catalog('tagContact', 1)?.validateConfig({})).toEqual([
      { path: 'tag', message: expect.any(String) },
    ]);
    expect(catalog('tagContact', 9)).toBeUndefined();
  });

  it('loads packages exporting actions as default or as `actions`', () => {
    const modules: Record<string, unknown> = {
      'pkg-default': { default: [tagAction(1)] },
      'pkg-named': { actions: [tagAction(2)] },
      'pkg-wrong': { something: 1 },
    };
    const registry = new ActionRegistry();
    const added = registry.loadActionPackages(['pkg-default', 'pkg-named'], (n) => modules[n]);
    expect(added.map((d) => d.version)).toEqual([1, 2]);
    expect(() => registry.loadActionPackages(['pkg-wrong'], (n) => modules[n])).toThrow(
      /"pkg-wrong" must export an array/,
    );
    expect(() => registry.loadActionPackages(['@cairn/does-not-exist'])).toThrow(
      /cannot load "@cairn\/does-not-exist"/,
    );
  });
});

describe('runActionForTest', () => {
  it('runs with defaults applied and records service calls', async () => {
    const run = await runActionForTest(tagAction(), { tag: 'trial' });
    expect(run.output).toBe('tagged');
    expect(run.result).toEqual({ times: 1 });
    expect(run.services.calls).toEqual([
      { method: 'updateContact', contactId: 'contact-1', update: { addTags: ['trial'] } },
    ]);
    expect([...(run.services.contacts.get('contact-1')?.tags ?? [])]).toEqual(['trial']);
  });

  it('passes the contact through', async () => {
    const run = await runActionForTest(
      tagAction(),
      { tag: 'trial' },
      { contact: { id: 'c9', traits: { vip: true } } },
    );
    expect(run.output).toBe('skipped');
    expect(run.services.calls).toEqual([]);
  });

  it('fails permanently on invalid config, naming the field', async () => {
    await expect(runActionForTest(tagAction(), { tag: 42 })).rejects.toThrow(
      /tagContact@1 config is invalid: tag:/,
    );
    await expect(runActionForTest(tagAction(), {})).rejects.toBeInstanceOf(PermanentActionError);
  });

  it('fails permanently when the handler answers with an undeclared output', async () => {
    const liar = defineAction({
      type: 'liar',
      version: 1,
      title: 'L',
      description: 'L',
      category: 'flow',
      icon: 'x',
      configSchema: z.object({}),
      run: async () => ({ output: 'elsewhere' as 'next' }),
    });
    const error = await runActionForTest(liar, {}).catch((e: unknown) => e);
    expect(isPermanentActionError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /returned output "elsewhere", which it does not declare; declared outputs: next/,
    );
  });

  it('lets retryable errors through with their kind', async () => {
    const flaky = defineAction({
      type: 'flaky',
      version: 1,
      title: 'F',
      description: 'F',
      category: 'integration',
      icon: 'x',
      configSchema: z.object({}),
      run: async () => {
        throw new RetryableActionError('provider timed out');
      },
    });
    await expect(runActionForTest(flaky, {})).rejects.toMatchObject({
      kind: 'retryable',
      message: 'provider timed out',
    });
  });

  it('hands out configured credentials and refuses missing ones', async () => {
    const reader = defineAction({
      type: 'reader',
      version: 1,
      title: 'R',
      description: 'R',
      category: 'integration',
      icon: 'x',
      configSchema: z.object({ credential: z.string() }),
      run: async (ctx, config) => ({
        output: 'next',
        result: (await ctx.credentials.get(config.credential)).token ?? null,
      }),
    });
    const run = await runActionForTest(
      reader,
      { credential: 'crm' },
      { credentials: { crm: { token: 't0k' } } },
    );
    expect(run.result).toBe('t0k');
    await expect(runActionForTest(reader, { credential: 'other' })).rejects.toThrow(
      'credential "other" is not configured',
    );
  });
});
