import { eventually, screenshot, useDesigner } from './harness.js';

const designer = useDesigner();

const proDefinition = {
  type: 'all',
  conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }],
};

describe('renaming from the lists', () => {
  it('renames a journey from its row; the editor and the API show the new name', async () => {
    const page = designer.page;
    const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: {
        name: 'Winback draft',
        definition: {
          name: 'Winback draft',
          settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
          nodes: [{ id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } }],
          edges: [],
        },
      },
    });
    // Reloaded: sign-in left this very address open, with the list read before the journey existed.
    await page.goto(`${designer.stack.url}/#/journeys`);
    await page.reload();
    const row = page.getByTestId(`journey-row-${created.id}`);
    await row.waitFor();

    // Escape leaves the name as it was.
    await page.getByTestId(`journey-rename-${created.id}`).click();
    const dialog = page.getByTestId('journey-rename-dialog');
    await dialog.waitFor();
    await page.getByTestId('journey-rename-input').fill('Something else');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await row.locator('td').first().textContent()).toBe('Winback draft');

    await page.getByTestId(`journey-rename-${created.id}`).click();
    expect(await page.getByTestId('journey-rename-input').inputValue()).toBe('Winback draft');
    expect(await page.getByTestId('journey-rename-save').isDisabled()).toBe(true);
    await page.getByTestId('journey-rename-input').fill('  Win back lapsed buyers ');
    await screenshot(page, 'journey-rename-dialog');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await eventually(
      () => row.locator('td').first().textContent(),
      (name) => expect(name).toBe('Win back lapsed buyers'),
    );
    const saved = await designer.stack.admin<{ name: string; draft: { name: string } }>(
      `/api/v1/journeys/${encodeURIComponent(created.id)}`,
    );
    expect({ name: saved.name, draft: saved.draft.name }).toEqual({
      name: 'Win back lapsed buyers',
      draft: 'Win back lapsed buyers',
    });

    await row.click();
    await page.getByTestId('node-trigger').waitFor();
    expect(await page.locator('h1').first().textContent()).toBe('Win back lapsed buyers');
    expect(designer.pageErrors).toEqual([]);
  });

  it('renames a segment from its row without changing its conditions or version', async () => {
    const page = designer.page;
    const created = await designer.stack.admin<{ id: string }>('/api/v1/segments', {
      body: { name: 'Pro plan', description: 'Paying', definition: proDefinition },
    });
    await page.goto(`${designer.stack.url}/#/segments`);
    const row = page.getByTestId(`segment-row-${created.id}`);
    await row.waitFor();
    await page.getByTestId(`segment-rename-${created.id}`).click();
    await page.getByTestId('segment-rename-input').fill('x'.repeat(300));
    await page.getByTestId('segment-rename-save').click();
    // The API's refusal names the field; the dialog stays open to fix it.
    await eventually(
      () => page.getByTestId('segment-rename-error').textContent(),
      (text) => expect(text).toMatch(/name.*at most 200 characters/),
    );
    await screenshot(page, 'segment-rename-error');
    await page.getByTestId('segment-rename-input').fill('Pro customers');
    await page.getByTestId('segment-rename-save').click();
    await page.getByTestId('segment-rename-dialog').waitFor({ state: 'detached' });
    await eventually(
      () => row.locator('td').first().textContent(),
      (name) => expect(name).toBe('Pro customers'),
    );
    const saved = await designer.stack.admin<{
      name: string;
      version: number;
      definition: unknown;
    }>(`/api/v1/segments/${encodeURIComponent(created.id)}`);
    expect(saved).toMatchObject({ name: 'Pro customers', version: 1 });
    expect(saved.definition).toMatchObject(proDefinition);
    await screenshot(page, 'segments-list-renamed');
    expect(designer.pageErrors).toEqual([]);
  });
});

describe('pages around the lists', () => {
  it('shows a not-found page for an unknown address several levels deep, naming it, in its section', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/segments/some-id/members/oops`);
    const notFound = page.getByTestId('not-found');
    await notFound.waitFor();
    expect(await notFound.locator('h1').textContent()).toBe('Page not found');
    expect(await page.getByTestId('not-found-detail').textContent()).toBe(
      'There is no page at “/segments/some-id/members/oops” in Segments.',
    );
    // The navigation stays, its section highlighted, so the marketer is not stranded.
    expect(await page.getByTestId('nav-segments').getAttribute('class')).toBe('active');
    expect(await page.locator('.left-nav a.active').count()).toBe(1);
    await screenshot(page, 'not-found');
    await notFound.getByRole('link', { name: 'Go to the segments' }).click();
    await page.getByTestId('nav-segments').waitFor();
    expect(new URL(page.url()).hash).toBe('#/segments');
  });

  it('names the journey, segment, template or contact an address asks for when the workspace has none', async () => {
    const page = designer.page;
    for (const [path, section, title, thing] of [
      ['journeys', 'journeys', 'Journey not found', 'journey'],
      ['segments', 'segments', 'Segment not found', 'segment'],
      ['templates', 'templates', 'Template not found', 'template'],
      ['contacts', 'contacts', 'Contact not found', 'contact'],
    ] as const) {
      await page.goto(`${designer.stack.url}/#/${path}/unknown-id`);
      const notFound = page.getByTestId('not-found');
      await notFound.waitFor();
      expect(await notFound.locator('h1').textContent()).toBe(title);
      expect(await page.getByTestId('not-found-detail').textContent()).toBe(
        `This workspace has no ${thing} “unknown-id”: it may have been deleted, or the address is mistyped.`,
      );
      expect(await page.locator('.left-nav a.active').getAttribute('data-testid')).toBe(
        `nav-${section}`,
      );
      if (thing === 'journey') await screenshot(page, 'not-found-journey');
      expect(await notFound.getByRole('link').getAttribute('href')).toBe(`#/${section}`);
    }
    // An address outside every section highlights none and leads home.
    await page.goto(`${designer.stack.url}/#/no-such-section/x`);
    await page.getByTestId('not-found').waitFor();
    expect(await page.locator('.left-nav a.active').count()).toBe(0);
    expect(await page.getByTestId('not-found').getByRole('link').getAttribute('href')).toBe(
      '#/journeys',
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('searches contacts when Enter is pressed in the search box', async () => {
    const page = designer.page;
    const batch = ['lena', 'lars', 'mika'].map((name) => ({
      type: 'identify',
      userId: `search-${name}`,
      traits: { email: `${name}@example.com`, first_name: name },
    }));
    const response = await designer.stack.ingest('/v1/batch', { batch });
    expect(response.status).toBeLessThan(300);
    await page.goto(`${designer.stack.url}/#/contacts`);
    await page.getByTestId('contact-row-search-mika').waitFor();
    await page.getByTestId('contact-search').fill('search-l');
    await page.getByTestId('contact-search').press('Enter');
    await eventually(
      () => page.locator('[data-testid^="contact-row-"]').evaluateAll((rows) => rows.length),
      (n) => expect(n).toBe(2),
    );
    expect(await page.getByTestId('contact-row-search-mika').count()).toBe(0);
    await screenshot(page, 'contacts-search-enter');
    expect(designer.pageErrors).toEqual([]);
  });
});
