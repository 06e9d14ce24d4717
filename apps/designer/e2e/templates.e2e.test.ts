import { eventually, screenshot, signIn, useDesigner } from './harness.js';

const designer = useDesigner({
  signIn: false,
  seed: async (stack) => {
    const res = await stack.ingest('/v1/identify', {
      userId: 'ada',
      traits: { firstName: 'Ada', email: 'ada@example.com' },
    });
    expect(res.status).toBe(200);
  },
});

describe('message templates in the designer', () => {
  it('writes a template, previews it for a chosen contact, saves versions and reads an older one', async () => {
    const page = designer.page;
    await signIn(page, designer.stack);
    await page.getByTestId('nav-templates').click();
    await page.getByTestId('templates-empty').waitFor();
    await page.getByTestId('new-template').click();

    await page.getByTestId('template-name').fill('Welcome');
    await page.getByTestId('template-subject').fill('Welcome, {{ contact.traits.firstName }}');
    await page
      .getByTestId('template-html')
      .fill(
        '<h2>Hello {{ contact.traits.firstName | default: "friend" }}</h2><p>Glad you came.</p>',
      );
    const subject = page.getByTestId('preview-subject');
    const body = () =>
      page.frameLocator('[data-testid="preview-body"]').locator('body').textContent();

    // Nobody picked yet: the sample contact has no traits, so the fallback shows.
    await eventually(
      () => body(),
      (v) => expect(v).toContain('Hello friend'),
    );
    await page.getByTestId('preview-contact-search').fill('ada');
    await page.getByTestId('preview-contact-option').first().click();
    expect(await page.getByTestId('preview-contact').textContent()).toBe('ada');
    await eventually(
      () => subject.textContent(),
      (v) => expect(v).toBe('Welcome, Ada'),
    );
    await eventually(
      () => body(),
      (v) => expect(v).toContain('Hello Ada'),
    );

    await page.getByTestId('template-save').click();
    await eventually(
      () => page.getByTestId('template-save').textContent(),
      (v) => expect(v).toBe('Save as version 2'),
    );
    expect(page.url()).toMatch(/#\/templates\/tpl_/);

    // A second version: the preview follows the edit before it is saved.
    await page
      .getByTestId('template-subject')
      .fill('Your first week, {{ contact.traits.firstName }}');
    await eventually(
      () => subject.textContent(),
      (v) => expect(v).toBe('Your first week, Ada'),
    );
    await page.getByTestId('template-save').click();
    await page.getByTestId('template-version-2').waitFor();
    expect(await page.getByTestId('template-version-2').textContent()).toContain('v2 (latest)');

    // Version 1 is still there, read-only, as journeys pinned to it send it.
    await page.getByTestId('template-version-1').click();
    await page.getByTestId('older-version').waitFor();
    expect(await page.getByTestId('template-subject').inputValue()).toBe(
      'Welcome, {{ contact.traits.firstName }}',
    );
    await eventually(
      () => subject.textContent(),
      (v) => expect(v).toBe('Welcome, Ada'),
    );
    await screenshot(page, 'templates-editor');

    await page.getByTestId('nav-templates').click();
    await eventually(
      () => page.getByTestId('template-row').allTextContents(),
      (v) => expect(v).toEqual([expect.stringContaining('Your first week')]),
    );
    await screenshot(page, 'templates-list');
    expect(designer.pageErrors).toEqual([]);
  });

  it('lets an email step pick a saved template pinned to a version', async () => {
    const page = designer.page;
    const template = await designer.stack.admin<{ id: string }>('/api/v1/templates', {
      body: {
        name: 'Win-back',
        channel: 'email',
        subject: 'We miss you, {{ contact.traits.firstName | default: "friend" }}',
        html: '<p>Come back soon.</p>',
      },
    });
    await designer.stack.admin(`/api/v1/templates/${template.id}`, {
      method: 'PUT',
      body: { name: 'Win-back', channel: 'email', subject: 'V2 subject', html: '<p>v2</p>' },
    });
    const journey = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: {
        name: 'Win-back',
        definition: {
          name: 'Win-back',
          settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
          nodes: [
            { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
            {
              id: 'mail',
              kind: 'action',
              action: { type: 'email', version: 1 },
              config: { subject: 'Old inline subject', html: '<p>Old</p>' },
            },
            { id: 'done', kind: 'exit' },
          ],
          edges: [
            { id: 'e1', source: 'start', sourceHandle: 'next', target: 'mail' },
            { id: 'e2', source: 'mail', sourceHandle: 'sent', target: 'done' },
            { id: 'e3', source: 'mail', sourceHandle: 'skipped', target: 'done' },
          ],
        },
      },
    });
    await page.goto(`${designer.stack.url}/#/journeys/${journey.id}`);
    await page.getByTestId('node-mail').click();
    expect(await page.locator('#root_subject').inputValue()).toBe('Old inline subject');

    await page.getByTestId('email-content-mode').selectOption('template');
    expect(await page.locator('#root_subject').count()).toBe(0);
    await page.getByTestId('email-template').selectOption(template.id);
    await eventually(
      () => page.getByTestId('email-template-version').inputValue(),
      (v) => expect(v).toBe('2'),
    );
    await page.getByTestId('email-template-version').selectOption('1');
    await page.getByTestId('newer-template-version').waitFor();
    // The contact picked on the Templates page is still the one previews are rendered for.
    expect(await page.getByTestId('preview-contact').textContent()).toBe('ada');
    await eventually(
      () => page.getByTestId('preview-subject').textContent(),
      (v) => expect(v).toBe('We miss you, Ada'),
    );
    await screenshot(page, 'templates-email-step');

    await page.getByTestId('save-draft').click();
    await eventually(
      () =>
        designer.stack.admin<{ draft: { nodes: { id: string; config?: unknown }[] } }>(
          `/api/v1/journeys/${journey.id}`,
        ),
      (j) =>
        expect(j.draft.nodes.find((n) => n.id === 'mail')?.config).toEqual({
          template: { id: template.id, version: 1 },
        }),
    );
    expect(designer.pageErrors).toEqual([]);
  });
});
