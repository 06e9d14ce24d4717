import { eventually, screenshot, signIn, useDesigner } from './harness.js';

const designer = useDesigner({ signIn: false });

const dated = (name: string, dates: Record<string, string>) => ({
  name,
  settings: {
    reentry: { policy: 'never' },
    exitOnSegmentExit: false,
    holdoutPercent: 0,
    ...dates,
  },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Signed Up' } },
    { id: 'exit', kind: 'exit' },
  ],
  edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'exit' }],
});

describe('journey schedule and send limits in the designer', () => {
  it('sets a send limit in Settings, refusing a bad one with its field named', async () => {
    const page = designer.page;
    await signIn(page, designer.stack);
    await page.getByTestId('nav-settings').click();
    const section = page.getByTestId('send-limit-settings');
    await section.waitFor();
    await page.getByTestId('send-limit-add').click();
    await page.getByTestId('send-limit-messages-0').fill('0');
    expect(await page.getByTestId('send-limit-problems').textContent()).toContain(
      'limits.email.messages',
    );
    expect(await page.getByTestId('send-limit-save').isDisabled()).toBe(true);
    await page.getByTestId('send-limit-messages-0').fill('100');
    await page.getByTestId('send-limit-save').click();
    await eventually(
      () => designer.stack.admin<{ limits: unknown }>('/api/v1/settings/send-limits'),
      (v) =>
        expect(v.limits).toEqual({ email: { messages: 100, per: { amount: 1, unit: 'minutes' } } }),
      { timeout: 10_000 },
    );
    await screenshot(page, 'settings-send-limits');
  }, 60_000);

  it('marks journeys "scheduled" and "ended" in the list, and names a backwards end date in the settings panel', async () => {
    const page = designer.page;
    const now = Date.now();
    const ids: string[] = [];
    for (const [name, dates] of [
      ['Spring sale', { entryEndsAt: new Date(now - 86_400_000).toISOString() }],
      ['Autumn sale', { entryStartsAt: new Date(now + 86_400_000).toISOString() }],
    ] as const) {
      const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
        body: { name, definition: dated(name, dates) },
      });
      await designer.stack.admin(`/api/v1/journeys/${created.id}/publish`, { body: {} });
      ids.push(created.id);
    }
    await page.goto(`${designer.stack.url}/#/journeys`);
    const [ended, scheduled] = ids as [string, string];
    await page.getByTestId(`journey-entry-${ended}`).waitFor();
    expect(await page.getByTestId(`journey-entry-${ended}`).textContent()).toBe('ended');
    expect(await page.getByTestId(`journey-entry-${scheduled}`).textContent()).toBe('scheduled');
    await screenshot(page, 'journeys-list-schedule');

    await page.goto(`${designer.stack.url}/#/journeys/${scheduled}`);
    const starts = page.getByTestId('entry-starts-at');
    await starts.waitFor();
    expect(await starts.inputValue()).not.toBe('');
    await page.getByTestId('entry-ends-at').fill('2020-01-01T09:00');
    await eventually(
      () => page.getByTestId('entry-dates-problem').textContent(),
      (v) => expect(v).toContain('must be after “Contacts can enter from”'),
      { timeout: 10_000 },
    );
    await screenshot(page, 'journey-settings-entry-dates');
    // The end date was never saved: leaving asks first, and the edit is thrown away.
    await page.locator('.editor-toolbar a.back').click();
    await page.getByTestId('leave-discard').click();
    await page.getByTestId(`journey-entry-${ended}`).waitFor();
    expect(designer.pageErrors).toEqual([]);
  }, 60_000);

  it('shows sends held back by the send limit as "throttled" on the email step', async () => {
    const page = designer.page;
    await designer.stack.admin('/api/v1/settings/send-limits', {
      method: 'PUT',
      body: { limits: { email: { messages: 1, per: { amount: 1, unit: 'days' } } } },
    });
    const definition = {
      name: 'Welcome mail',
      settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
      nodes: [
        { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Signed Up' } },
        {
          id: 'mail',
          kind: 'action',
          action: { type: 'email', version: 1 },
          config: { subject: 'Welcome', html: '<p>Hello</p>' },
        },
        { id: 'exit', kind: 'exit' },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'mail' },
        { id: 'e2', source: 'mail', sourceHandle: 'sent', target: 'exit' },
        { id: 'e3', source: 'mail', sourceHandle: 'skipped', target: 'exit' },
      ],
    };
    const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: { name: definition.name, definition },
    });
    await designer.stack.admin(`/api/v1/journeys/${created.id}/publish`, { body: {} });
    for (const id of ['t-ana', 't-bo']) {
      await designer.stack.ingest('/v1/identify', {
        userId: id,
        traits: { email: `${id}@example.com` },
      });
      await designer.stack.admin(`/api/v1/journeys/${created.id}/enroll`, {
        body: { contactId: id },
      });
    }
    // One send a day: the first holds today's slot, the second waits for tomorrow's.
    await page.goto(`${designer.stack.url}/#/journeys/${created.id}`);
    await eventually(
      async () => {
        await page.reload();
        return page
          .getByTestId('node-throttled-mail')
          .textContent({ timeout: 3_000 })
          .catch(() => '');
      },
      (v) => expect(v).toBe('1 throttled'),
      { timeout: 60_000, interval: 1_000 },
    );
    await screenshot(page, 'journey-canvas-throttled');
    expect(designer.pageErrors).toEqual([]);
  }, 90_000);
});
