import { eventually, screenshot, useDesigner } from './harness.js';

const DAY = 86_400_000;

const designer = useDesigner({
  seed: async (stack) => {
    // Three contacts, two on the pro plan; one with a purchase history for the contact view.
    const now = Date.now();
    const batch = [
      {
        type: 'identify',
        userId: 'e2e-pro-1',
        traits: { email: 'pro1@example.com', plan: 'pro', first_name: 'Ada' },
      },
      { type: 'identify', userId: 'e2e-pro-2', traits: { email: 'pro2@example.com', plan: 'pro' } },
      {
        type: 'identify',
        userId: 'e2e-free-1',
        traits: { email: 'free1@example.com', plan: 'free' },
      },
      ...[40, 25, 10].map((daysAgo, i) => ({
        type: 'track',
        userId: 'e2e-pro-1',
        event: 'Order Completed',
        messageId: `e2e-order-${i}`,
        timestamp: new Date(now - daysAgo * DAY).toISOString(),
        properties: {
          order_id: `o${i}`,
          revenue: 30 + i * 10,
          products: [{ product_id: `p${i}`, category: i === 2 ? 'hats' : 'shoes' }],
        },
      })),
    ];
    const response = await stack.ingest('/v1/batch', { batch });
    if (response.status >= 300)
      throw new Error(`POST /v1/batch → ${response.status}: ${await response.text()}`);
  },
});

const proDefinition = {
  type: 'all',
  conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }],
};

describe('segment builder', () => {
  it('shows the same live count as the API preview for the same definition, and explains membership once saved', async () => {
    const page = designer.page;
    // ingestion folds asynchronously: wait until the API itself sees both pro contacts
    const api = await eventually(
      () =>
        designer.stack.admin<{ count: number; total: number }>('/api/v1/segments/preview', {
          body: { definition: proDefinition },
        }),
      (p) => expect(p.count).toBe(2),
      { timeout: 60_000, interval: 1000 },
    );

    await page.goto(`${designer.stack.url}/#/segments/new`);
    await page.getByTestId('segment-name').fill('Pro plan');
    await page.getByTestId('add-condition-root').click();
    const row = page.getByTestId('condition-root-0');
    await row.locator('input').first().fill('plan');
    await row.locator('input').nth(1).fill('pro');
    const shown = await eventually(
      () => page.getByTestId('segment-live-count').textContent(),
      (v) => expect(v).toBe(String(api.count)),
    );
    expect(shown).toBe('2');
    await screenshot(page, 'segment-builder');

    await page.getByTestId('segment-save').click();
    await eventually(
      async () => new URL(page.url()).hash,
      (hash) => expect(hash).toMatch(/^#\/segments\/(?!new)[^/]+$/),
    );
    await page.getByTestId('segment-why-contact').fill('e2e-free-1');
    await page.getByTestId('segment-why-ask').click();
    await eventually(
      () => page.getByTestId('segment-why-answer').textContent(),
      (v) => expect(v).toContain('e2e-free-1 is not in this segment'),
    );
    await page.getByTestId('segment-history').waitFor();
    await screenshot(page, 'segment-builder-saved');
    expect(designer.pageErrors).toEqual([]);
  });
});

describe('segments list', () => {
  it('duplicates a segment into a new one and archives one after asking', async () => {
    const page = designer.page;
    const created = await designer.stack.admin<{ id: string }>('/api/v1/segments', {
      body: {
        name: 'Hat buyers',
        description: 'Bought a hat',
        definition: proDefinition,
      },
    });
    await page.goto(`${designer.stack.url}/#/segments`);
    await page.getByTestId(`segment-duplicate-${created.id}`).click();
    await eventually(
      async () => new URL(page.url()).hash,
      (hash) => expect(hash).toMatch(/^#\/segments\/(?!new)[^/]+$/),
    );
    const copyId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    expect(copyId).not.toBe(created.id);
    const copy = await designer.stack.admin<{ name: string; definition: unknown }>(
      `/api/v1/segments/${encodeURIComponent(copyId)}`,
    );
    const original = await designer.stack.admin<{ definition: unknown }>(
      `/api/v1/segments/${encodeURIComponent(created.id)}`,
    );
    expect(copy.name).toBe('Copy of Hat buyers');
    expect(copy.definition).toEqual(original.definition);

    await page.goto(`${designer.stack.url}/#/segments`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId(`segment-archive-${created.id}`).click();
    await eventually(
      () => page.getByTestId(`segment-row-${created.id}`).count(),
      (n) => expect(n).toBe(0),
    );
    expect(designer.pageErrors).toEqual([]);
  });
});

describe('contact view', () => {
  it('shows the behavioural profile, segments and the event timeline of a contact', async () => {
    const page = designer.page;
    await eventually(
      () =>
        designer.stack.admin<{ profile: { purchases?: { orderCount?: number } } }>(
          '/api/v1/contacts/e2e-pro-1',
        ),
      (c) => expect(c.profile.purchases?.orderCount).toBe(3),
      { timeout: 60_000, interval: 1000 },
    );
    // Every event sent is folded by now, and the contacts page says so.
    await page.goto(`${designer.stack.url}/#/contacts`);
    await eventually(
      () => page.getByTestId('fold-lag').textContent(),
      (v) => expect(v).toBe('Profiles are up to date'),
    );
    await screenshot(page, 'contacts-list');
    await page.goto(`${designer.stack.url}/#/contacts/e2e-pro-1`);
    await page.getByTestId('contact-profile').waitFor();
    expect(await page.getByTestId('contact-orders').textContent()).toMatch(/^3 · /);
    expect(await page.getByTestId('contact-profile').textContent()).toContain('shoes');
    expect(await page.getByTestId('contact-next-order').textContent()).not.toBe('—');
    expect(await page.getByTestId('contact-timeline').locator('li').count()).toBeGreaterThanOrEqual(
      3,
    );
    // Properties read as name and value, not as JSON.
    const timeline = await page.getByTestId('contact-timeline').textContent();
    expect(timeline).not.toContain('{"');
    expect(await page.getByTestId('contact-timeline').locator('dt').count()).toBeGreaterThan(0);
    await screenshot(page, 'contact-view');
    expect(designer.pageErrors).toEqual([]);
  });
});
