// First-hour polish of the designer's forms: names from the workspace, problems and labels in words.
import { eventually, screenshot, useDesigner } from './harness.js';

let proSegmentId: string;

const designer = useDesigner({
  seed: async (stack) => {
    const tracked = await stack.ingest('/v1/track', {
      userId: 'ada',
      event: 'Order Completed',
      properties: { revenue: 40, order_id: 'o-1' },
    });
    expect(tracked.status).toBeLessThan(300);
    const identified = await stack.ingest('/v1/identify', {
      userId: 'ada',
      traits: { plan: 'pro', firstName: 'Ada', email: 'ada@acme.test', timezone: 'Europe/Paris' },
    });
    expect(identified.status).toBeLessThan(300);
    const segment = await stack.admin<{ id: string }>('/api/v1/segments', {
      body: {
        name: 'Pro plan',
        definition: {
          type: 'all',
          conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }],
        },
      },
    });
    proSegmentId = segment.id;
    // Ada is counted in once the new segment's first evaluation lands.
    await eventually(
      () => stack.admin<{ memberCount: number }>(`/api/v1/segments/${proSegmentId}`),
      (v) => expect(v.memberCount).toBe(1),
    );
  },
});

/** Enters Pro plan, waits 3 days, sends the Win-back email, leaves. */
function winBack(name: string) {
  return {
    name,
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      {
        id: 'trigger',
        kind: 'trigger',
        trigger: { type: 'segmentEntered', segmentId: proSegmentId },
        position: { x: 0, y: 0 },
      },
      {
        id: 'wait',
        kind: 'delay',
        duration: { amount: 3, unit: 'days' },
        position: { x: 0, y: 150 },
      },
      {
        id: 'mail',
        kind: 'action',
        label: 'Win-back',
        action: { type: 'email', version: 1 },
        config: { subject: 'Hi {{ contact.traits.firstName }}', html: '<p>Hello</p>' },
        position: { x: 0, y: 300 },
      },
      { id: 'done', kind: 'exit', position: { x: 0, y: 450 } },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
      { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'mail' },
      { id: 'e3', source: 'mail', sourceHandle: 'sent', target: 'done' },
      { id: 'e4', source: 'mail', sourceHandle: 'skipped', target: 'done' },
    ],
  };
}

/** Leaves an open journey editor, throwing away what a test left unsaved (leaving asks first). */
async function leaveEditor(): Promise<void> {
  const page = designer.page;
  const back = page.locator('.editor-toolbar a.back');
  if ((await back.count()) === 0) return;
  await back.click();
  const discard = page.getByTestId('leave-discard');
  if (await discard.isVisible({ timeout: 2_000 }).catch(() => false)) await discard.click();
  await page.getByTestId('new-journey-name').waitFor();
}

async function newJourney(name: string): Promise<void> {
  const page = designer.page;
  await leaveEditor();
  await page.goto(`${designer.stack.url}/#/journeys`);
  await page.getByTestId('new-journey-name').fill(name);
  await page.getByTestId('create-journey').click();
  await page.getByTestId('node-trigger').waitFor();
}

describe('designer forms in words', () => {
  it('warns on an event name the workspace never received, offers the one it sends, and still allows it', async () => {
    const page = designer.page;
    await newJourney('Event names');
    await page.getByTestId('node-trigger').click();
    await page.getByTestId('trigger-type').selectOption('event');
    await page.getByTestId('event-name').fill('order_completed');
    const warning = page.getByTestId('event-name-warning');
    await eventually(
      () => warning.textContent(),
      (v) =>
        expect(v).toContain(
          'No event named “order_completed” has arrived yet; did you mean “Order Completed”?',
        ),
    );
    // The name typed is kept: a journey may be drawn before the first event arrives.
    expect(await page.getByTestId('event-name').inputValue()).toBe('order_completed');
    await screenshot(page, 'words-event-name-warning');
    await page.getByTestId('event-name-warning-use').click();
    expect(await page.getByTestId('event-name').inputValue()).toBe('Order Completed');
    expect(await warning.count()).toBe(0);
    // The event's properties are offered too, and a property it never carried is flagged.
    const offered = await page
      .locator(
        `datalist[id="${await page.getByTestId('trigger-key').getAttribute('list')}"] option`,
      )
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered.sort()).toEqual(['order_id', 'revenue']);
    await page.getByTestId('trigger-key').fill('orderId');
    await eventually(
      () => page.getByTestId('trigger-key-warning').textContent(),
      (v) => expect(v).toContain('did you mean “order_id”?'),
    );

    // Segment conditions on events get the same check.
    await leaveEditor();
    await page.goto(`${designer.stack.url}/#/segments/new`);
    await page.getByTestId('add-condition-root').click();
    await page.getByTestId('condition-root-0-type').selectOption('event');
    await page.getByTestId('condition-root-0-event').fill('Order Complete');
    await eventually(
      () => page.getByTestId('condition-root-0-event-warning').textContent(),
      (v) => expect(v).toContain('did you mean “Order Completed”?'),
    );
    await screenshot(page, 'words-segment-event-warning');
    await page.getByTestId('condition-root-0-event').fill('Order Completed');
    await eventually(
      () => page.getByTestId('condition-root-0-event-warning').count(),
      (v) => expect(v).toBe(0),
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('says what to fix in words, naming the step by its label, and selects the step on a click', async () => {
    const page = designer.page;
    await newJourney('Problems in words');
    await page.getByTestId('palette-action-email').click();
    await page.getByTestId('node-email-1').click();
    await page.getByTestId('inspector-label').fill('Win-back');
    await eventually(
      () => page.getByTestId('inspector-issues').textContent(),
      (v) => expect(v).toContain("Send email step 'Win-back': add a subject"),
    );
    // The step's badge on the canvas says the same on hover.
    expect(await page.getByTestId('node-issues-email-1').getAttribute('title')).toContain(
      "Send email step 'Win-back': add a subject",
    );
    // Select the trigger, then let the problems list bring the email step back.
    await page.getByTestId('node-trigger').click();
    await page.getByTestId('journey-problems').click();
    const subject = page
      .getByTestId('problems-list')
      .getByRole('button', { name: "Send email step 'Win-back': add a subject" });
    await subject.waitFor();
    // The developer's path stays beside it, small.
    expect(await page.getByTestId('problems-list').textContent()).toContain(
      'nodes[1].config.subject',
    );
    await screenshot(page, 'words-problems');
    await subject.click();
    await eventually(
      () => page.getByTestId('inspector-label').inputValue(),
      (v) => expect(v).toBe('Win-back'),
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('offers the starting event’s properties to a branch on the event that started the journey', async () => {
    const page = designer.page;
    await leaveEditor();
    const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: {
        name: 'Big orders',
        definition: {
          name: 'Big orders',
          settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
          nodes: [
            {
              id: 'trigger',
              kind: 'trigger',
              trigger: { type: 'event', event: 'Order Completed' },
              position: { x: 0, y: 0 },
            },
            {
              id: 'big',
              kind: 'branch',
              condition: { on: 'entryEvent', filters: [] },
              position: { x: 0, y: 150 },
            },
            { id: 'done', kind: 'exit', position: { x: 0, y: 300 } },
          ],
          edges: [
            { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'big' },
            { id: 'e2', source: 'big', sourceHandle: 'yes', target: 'done' },
            { id: 'e3', source: 'big', sourceHandle: 'no', target: 'done' },
          ],
        },
      },
    });
    await page.goto(`${designer.stack.url}/#/journeys/${encodeURIComponent(created.id)}`);
    await page.getByTestId('node-big').click();
    expect(await page.getByTestId('condition-on').inputValue()).toBe('entryEvent');
    expect(await page.getByTestId('entry-event-note').textContent()).toBe(
      'Properties of “Order Completed”, the event that started the journey.',
    );
    await page.getByTestId('inspector').getByRole('button', { name: '+ Add filter' }).click();
    const property = page.getByTestId('filter-0-property');
    const offered = await page
      .locator(`datalist[id="${await property.getAttribute('list')}"] option`)
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered.sort()).toEqual(['order_id', 'revenue']);
    await property.fill('orderId');
    await eventually(
      () => page.getByTestId('filter-0-property-warning').textContent(),
      (v) => expect(v).toContain('did you mean “order_id”?'),
    );
    await screenshot(page, 'words-entry-event-properties');
    expect(designer.pageErrors).toEqual([]);
  });

  it('says why publishing was refused in words, links each problem to its step, and keeps the path', async () => {
    const page = designer.page;
    await leaveEditor();
    // Only the API knows which templates exist: the canvas finds nothing to fix, the publish is refused.
    const journey = winBack('Refused publish');
    const mail = journey.nodes.find((n) => n.id === 'mail')!;
    mail.config = { template: { id: 'tpl_gone', version: 1 } } as unknown as typeof mail.config;
    const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: { name: journey.name, definition: journey },
    });
    await page.goto(`${designer.stack.url}/#/journeys/${encodeURIComponent(created.id)}`);
    await page.getByTestId('node-mail').waitFor();
    await page.getByTestId('node-trigger').click();
    await page.getByTestId('publish').click();
    await page.getByTestId('publish-confirm').click();
    const result = page.getByTestId('publish-result');
    await eventually(
      () => result.textContent(),
      (v) => expect(v).toContain('Not published: one thing to fix first'),
    );
    const problem = result.getByRole('button', {
      name: "Send email step 'Win-back': choose another template: the one it used (“tpl_gone”) no longer exists",
    });
    await problem.waitFor();
    const text = (await result.textContent()) ?? '';
    // The developer's path stays, small; the validator's own sentence does not.
    expect(text).toContain('nodes[2].config.template.id');
    expect(text).not.toContain('node "mail" (action)');
    expect(text).not.toContain('problem(s)');
    await screenshot(page, 'words-publish-refused');
    await problem.click();
    await eventually(
      () => page.getByTestId('inspector-label').inputValue(),
      (v) => expect(v).toBe('Win-back'),
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('labels steps by segment name and email subject, counts segment members, and writes the email form in words', async () => {
    const page = designer.page;
    await designer.stack.admin('/api/v1/journeys', {
      body: { name: 'Onboarding', definition: winBack('Onboarding') },
    });
    await newJourney('Names not ids');
    await page.getByTestId('node-trigger').click();
    await page.getByTestId('trigger-type').selectOption('segmentEntered');
    const option = page.getByTestId('trigger-segment').locator(`option[value="${proSegmentId}"]`);
    await eventually(
      () => option.textContent(),
      (v) => expect(v).toBe('Pro plan (1 member)'),
    );
    await page.getByTestId('trigger-segment').selectOption(proSegmentId);
    await eventually(
      () => page.getByTestId('node-trigger').locator('.node-summary').textContent(),
      (v) => expect(v).toBe('Enters segment Pro plan'),
    );

    await page.getByTestId('palette-action-email').click();
    await page.getByTestId('node-email-1').click();
    const form = page.getByTestId('action-config');
    expect(await form.locator('label[for="root_html"]').textContent()).toContain('Body');
    expect(await form.locator('label[for="root_replyTo"]').textContent()).toContain(
      'Reply-to address',
    );
    await page.locator('#root_subject').fill('We miss you, {{ contact.traits.firstName }}');
    await eventually(
      () => page.getByTestId('node-email-1').locator('.node-summary').textContent(),
      (v) => expect(v).toBe('“We miss you, [firstName]”'),
    );
    // The traits this workspace's contacts carry are offered as Liquid.
    await page.getByTestId('personalisation-help').locator('summary').click();
    await eventually(
      () => page.getByTestId('personalisation-traits').textContent(),
      (v) => {
        expect(v).toContain('{{ contact.traits.plan }}');
        expect(v).toContain('{{ contact.traits.firstName }}');
      },
    );
    await screenshot(page, 'words-email-step');

    // Pinned to a saved template, the card names the template and its version.
    const template = await designer.stack.admin<{ id: string }>('/api/v1/templates', {
      body: { name: 'Come back', channel: 'email', subject: 'Hi', html: '<p>Hi</p>' },
    });
    await page.getByTestId('email-content-mode').selectOption('template');
    await page.getByTestId('email-template').selectOption(template.id);
    await eventually(
      () => page.getByTestId('node-email-1').locator('.node-summary').textContent(),
      (v) => expect(v).toBe('Template Come back (v1)'),
    );

    // A start-journey step picks a journey by name, and its card names it.
    await page.getByTestId('palette-action-startJourney').click();
    await page.getByTestId('node-startJourney-1').click();
    const picker = page.getByTestId('journey-picker');
    await eventually(
      () => picker.locator('option').allTextContents(),
      (v) => expect(v).toContain('Onboarding (draft)'),
    );
    await picker.selectOption({ label: 'Onboarding (draft)' });
    await eventually(
      () => page.getByTestId('node-startJourney-1').locator('.node-summary').textContent(),
      (v) => expect(v).toBe('Start journey: Onboarding'),
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('previews a real contact found by search, naming steps and reading times as days and clock times', async () => {
    const page = designer.page;
    const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: {
        name: 'Preview in words',
        definition: winBack('Preview in words'),
      },
    });
    await leaveEditor();
    await page.goto(`${designer.stack.url}/#/journeys/${encodeURIComponent(created.id)}`);
    await page.getByTestId('node-mail').waitFor();
    await page.getByTestId('simulate').click();
    // Describing a contact is rows, not JSON: traits, segments by name and size, events picked by name.
    await page.getByTestId('simulate-add-event').click();
    await page.getByTestId('simulate-event-0-name').fill('Order Completed');
    await page.getByLabel('event 1 details').fill('revenue: 40');
    expect(await page.getByTestId('simulate-segments').textContent()).toContain(
      'Pro plan (1 member)',
    );
    await screenshot(page, 'words-simulation-describe');
    await page.getByTestId('simulate-event-0').getByTitle('Remove event').click();
    await page.getByTestId('simulate-mode-contact').click();
    await page.getByTestId('simulate-contact-search').fill('ada');
    await page.getByTestId('simulate-contact-ada').click();
    expect(await page.getByTestId('simulate-contact-picked').textContent()).toContain('Ada');
    await page.getByTestId('simulate-run').click();
    const timeline = page.getByTestId('simulate-timeline');
    await timeline.waitFor();
    const text = await timeline.innerText();
    // Steps by name (the unnamed delay by what it does), times as "Day 3, 09:00" in Ada's zone, no ISO.
    expect(text).toContain('Wait 3 days');
    expect(text).toContain('Win-back');
    expect(text).toMatch(/Day 3, \d\d:\d\d/);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(await page.getByTestId('simulate-time-zone').textContent()).toContain('Europe/Paris');
    expect(await page.getByTestId('simulate-messages').innerText()).toContain(
      'Send email · Win-back',
    );
    expect(await page.getByTestId('simulate-message-0-subject').textContent()).toContain('Hi Ada');
    expect(await page.getByTestId('simulate-outcome').textContent()).toMatch(
      /^Leaves the journey at “Exit” on Day 3, \d\d:\d\d\.$/,
    );
    await timeline.scrollIntoViewIfNeeded();
    await screenshot(page, 'words-simulation');
    expect(designer.pageErrors).toEqual([]);
  });
});
