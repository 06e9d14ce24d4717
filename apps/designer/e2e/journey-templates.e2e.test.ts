import { createUser } from '@cairn/db';
import { eventually, screenshot, signInAsUser, useDesigner } from './harness.js';

let segmentId: string;

const designer = useDesigner({
  seed: async (stack) => {
    await createUser(stack.db.connection, stack.workspace.workspace._id, {
      email: 'vic@example.com',
      name: 'Vic Viewer',
      role: 'viewer',
      password: 'vic-viewer-password',
    });
    const created = await stack.admin<{ id: string }>('/api/v1/segments', {
      body: {
        name: 'Customers',
        definition: {
          type: 'all',
          conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 1 }],
        },
      },
    });
    segmentId = created.id;
  },
});

describe('starting a journey from a template', () => {
  it('picks "Customers by purchase frequency", chooses a segment, and opens the draft in the editor', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/journeys`);
    // A new workspace: the library is what the page leads with.
    await page.getByTestId('template-ecommerce-purchase-frequency').waitFor();
    expect(await page.getByTestId('journey-templates').getAttribute('class')).toContain(
      'templates-prominent',
    );
    const card = page.getByTestId('template-ecommerce-purchase-frequency');
    expect(await card.textContent()).toContain('Customers by purchase frequency');
    expect(await card.textContent()).toContain('E-commerce');
    expect(
      await page
        .locator('[data-testid^="template-"]')
        .filter({ has: page.locator('.vertical') })
        .count(),
    ).toBeGreaterThanOrEqual(4);
    await screenshot(page, 'journey-templates-list');

    await page.getByTestId('use-template-ecommerce-purchase-frequency').click();
    const form = page.getByTestId('template-form');
    await form.waitFor();
    // Defaults are filled in; the segment is not, so the journey cannot be created yet.
    expect(await page.getByTestId('template-param-incentiveCode').inputValue()).toBe('COMEBACK15');
    expect(await page.getByTestId('template-param-heavyBuyerOrders').inputValue()).toBe('5');
    expect(await page.getByTestId('template-create').isDisabled()).toBe(true);
    expect(await page.getByTestId('template-missing').textContent()).toContain(
      'Segment: customers to enrol',
    );

    await eventually(
      () =>
        page.getByTestId('template-param-customersSegmentId').locator('option').allTextContents(),
      (v) => expect(v.join('|')).toContain('Customers'),
    );
    await page.getByTestId('template-param-customersSegmentId').selectOption(segmentId);
    expect(await page.getByTestId('template-create').isDisabled()).toBe(false);

    // A value the template cannot use is explained on the form, and nothing is created.
    await page.getByTestId('template-param-heavyBuyerOrders').fill('lots');
    await page.getByTestId('template-create').click();
    await eventually(
      () => page.getByTestId('template-error').textContent(),
      (v) => expect(v).toMatch(/heavyBuyerOrders must be a whole number/),
    );
    expect(await designer.stack.admin<unknown[]>('/api/v1/journeys')).toEqual([]);

    await page.getByTestId('template-param-heavyBuyerOrders').fill('4');
    expect(await page.getByTestId('template-error').count()).toBe(0);
    await page.getByTestId('template-param-incentiveCode').fill('SPRING20');
    await screenshot(page, 'journey-template-form');
    await page.getByTestId('template-create').click();

    // The editor opens on the new draft with the template's steps on the canvas.
    await page.getByTestId('node-early-access').waitFor();
    // An email step reads its name and its subject as the contact will (Liquid shown by the name it prints);
    // the split shows its question.
    expect(await page.getByTestId('node-early-access').locator('.node-summary').textContent()).toBe(
      'Early access · “You’re in early, [firstName]: new arrivals before anyone else”',
    );
    expect(
      await page.getByTestId('node-onboarding-3').locator('.node-summary').textContent(),
    ).toMatch(/^Onboarding 3 · “[^{}%]+”$/);
    expect(
      await page.getByTestId('node-by-frequency').locator('.node-summary').textContent(),
    ).toContain('How often do they buy?');
    // The trigger names the segment, not its id.
    await eventually(
      () => page.getByTestId('node-trigger').locator('.node-summary').textContent(),
      (v) => expect(v).toBe('Enters segment Customers'),
    );
    const journeyId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    expect(journeyId).not.toBe('');
    await screenshot(page, 'journey-from-template');

    const saved = await designer.stack.admin<{
      name: string;
      status: string;
      draft: {
        nodes: {
          id: string;
          trigger?: unknown;
          branches?: { id: string; condition: unknown }[];
          config?: { html?: string };
        }[];
      };
    }>(`/api/v1/journeys/${encodeURIComponent(journeyId)}`);
    expect(saved.name).toBe('Customers by purchase frequency');
    expect(saved.draft.nodes.find((n) => n.id === 'trigger')?.trigger).toEqual({
      type: 'segmentEntered',
      segmentId,
    });
    expect(
      JSON.stringify(
        saved.draft.nodes
          .find((n) => n.id === 'by-frequency')
          ?.branches?.find((b) => b.id === 'heavy'),
      ),
    ).toContain('"value":4');
    expect(JSON.stringify(saved.draft.nodes)).toContain('SPRING20');

    await page.goto(`${designer.stack.url}/#/journeys`);
    const row = page.getByTestId(`journey-row-${journeyId}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Customers by purchase frequency');
    expect(await row.locator('.status').textContent()).toBe('draft');
    await screenshot(page, 'journeys-with-template-draft');
    // Still offered once journeys exist, just no longer the page's lead.
    expect(await page.getByTestId('journey-templates').getAttribute('class')).not.toContain(
      'templates-prominent',
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('shows a viewer the templates but not a button it could use', async () => {
    const page = designer.page;
    await signInAsUser(page, designer.stack, 'vic@example.com', 'vic-viewer-password');
    await page.goto(`${designer.stack.url}/#/journeys`);
    const use = page.getByTestId('use-template-ecommerce-purchase-frequency');
    await use.waitFor();
    expect(await use.isDisabled()).toBe(true);
    expect(await use.getAttribute('title')).toMatch(/editor role/);
    expect(await page.getByTestId('template-form').count()).toBe(0);
    expect(designer.pageErrors).toEqual([]);
  });
});
