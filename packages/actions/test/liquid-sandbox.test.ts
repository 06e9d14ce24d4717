import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PermanentActionError } from '@cairn/action-sdk';
import { MAX_RENDERED_CHARS, createSandboxedLiquid, renderField } from '../src/index.js';

/**
 * Templates are written by marketers and filled with contact data sent by anyone with a write key, so the
 * engine must not read files, must not reach JavaScript prototypes, and must not stall the worker.
 */
describe('Liquid sandbox', () => {
  const html = createSandboxedLiquid({ escape: 'html' });
  const text = createSandboxedLiquid({ escape: 'none' });
  const scope = { contact: { id: 'c1', traits: { firstName: 'Ada', tags: ['a', 'b'] } } };
  let dir: string;
  let secretFile: string;
  const SECRET = 'TOP-SECRET-FILE-CONTENT-3b9e';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-liquid-'));
    secretFile = join(dir, 'secret.liquid');
    writeFileSync(secretFile, SECRET);
    writeFileSync(join(process.cwd(), 'cairn-liquid-sandbox-probe.liquid'), SECRET);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(process.cwd(), 'cairn-liquid-sandbox-probe.liquid'), { force: true });
  });

  const render = (engine: typeof html, template: string) =>
    renderField(engine, 'body', template, scope);

  it.each([
    ['include', (f: string) => `{% include '${f}' %}`],
    ['render', (f: string) => `{% render '${f}' %}`],
    ['layout', (f: string) => `{% layout '${f}' %}x`],
  ])('%s finds no file on disk, by absolute or relative path', async (_tag, tag) => {
    for (const file of [
      secretFile,
      relative(process.cwd(), secretFile),
      'cairn-liquid-sandbox-probe.liquid',
      'cairn-liquid-sandbox-probe',
      '/etc/passwd',
      '../../../../etc/passwd',
    ]) {
      const outcome = await render(text, tag(file)).then(
        (out) => out,
        (error: Error) => error,
      );
      expect(outcome).toBeInstanceOf(PermanentActionError);
      expect(String(outcome)).toMatch(/body: template error: ENOENT/);
      expect(String(outcome)).not.toContain(SECRET);
      expect(String(outcome)).not.toContain('root:');
    }
  });

  it.each([
    '{{ contact.constructor }}',
    '{{ contact.constructor.constructor }}',
    '{{ contact.__proto__ }}',
    "{{ contact['__proto__'] }}",
    "{{ contact['constructor']['name'] }}",
    '{{ contact.traits.firstName.constructor.name }}',
    '{{ contact.toString }}',
    '{{ contact.hasOwnProperty }}',
    '{% assign f = contact.constructor %}{{ f.name }}',
    '{{ contact.traits.tags.constructor.name }}',
  ])('%s reaches no prototype', async (template) => {
    expect(await render(html, template)).toBe('');
  });

  it('reads own data as usual (the sandbox is not just empty)', async () => {
    expect(
      await render(
        html,
        '{{ contact.traits.firstName }} {{ contact.traits.tags.size }} {{ contact.traits.firstName.size }}',
      ),
    ).toBe('Ada 2 3');
  });

  it('refuses filters that do not exist, such as | prototype', async () => {
    await expect(render(text, '{{ "a" | prototype }}')).rejects.toThrow(
      /body: template error: undefined filter: prototype/,
    );
  });

  it('does not let a template pollute Object.prototype', async () => {
    await render(
      text,
      "{% assign __proto__ = 'x' %}{% assign constructor = 'y' %}{% capture __proto__ %}polluted{% endcapture %}",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(typeof ({} as { constructor: unknown }).constructor).toBe('function');
  });

  it.each([
    [
      'a range of 100 million',
      '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
      /memory alloc limit exceeded/,
    ],
    [
      'a tablerow of 100 million',
      '{% tablerow i in (1..100000000) %}{{ i }}{% endtablerow %}',
      /memory alloc limit exceeded/,
    ],
    [
      'a string doubled 30 times',
      "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}",
      /memory alloc limit exceeded/,
    ],
    [
      'nested loops of 9 million steps',
      '{% for i in (1..3000) %}{% for j in (1..3000) %}{% endfor %}{% endfor %}done',
      /render limit exceeded/,
    ],
  ])('stops %s quickly', async (_what, template, reason) => {
    const started = Date.now();
    await expect(render(text, template)).rejects.toThrow(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a template too long to parse', async () => {
    await expect(render(text, 'x'.repeat(300_000))).rejects.toThrow(/parse length limit exceeded/);
  });

  it(`refuses a rendered field over ${MAX_RENDERED_CHARS} characters`, async () => {
    const template =
      '{% for i in (1..1100) %}{% for j in (1..100) %}xxxxxxxxxx{% endfor %}{% endfor %}';
    await expect(render(text, template)).rejects.toThrow(
      /body: the template renders to 1100000 characters, more than the 1000000 allowed/,
    );
  });

  it('escapes contact data in HTML fields', async () => {
    const out = await renderField(html, 'html', '<p>{{ contact.traits.firstName }}</p>', {
      contact: { traits: { firstName: '<img src=x onerror=alert(1)>' } },
    });
    expect(out).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
  });
});
