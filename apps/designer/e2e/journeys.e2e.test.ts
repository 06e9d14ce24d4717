import { JOURNEY_TEMPLATES, instantiateTemplate } from '@cairn/core';
import type { Page } from 'playwright-core';
import { dragToCanvas, eventually, screenshot, useDesigner } from './harness.js';

const designer = useDesigner();

/** Drags from an output handle to the target node's input handle, as a person would. */
async function wire(page: Page, handleTestId: string, targetNodeId: string): Promise<void> {
  const from = await page.getByTestId(handleTestId).boundingBox();
  const to = await page
    .getByTestId(`node-${targetNodeId}`)
    .locator('.react-flow__handle.target')
    .boundingBox();
  if (!from || !to) throw new Error(`cannot see ${handleTestId} or the input of ${targetNodeId}`);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await page.mouse.up();
}

async function addAfter(page: Page, nodeId: string, output: string, kind: string): Promise<void> {
  await page.getByTestId(`add-after-${nodeId}-${output}`).click();
  await page.getByTestId(`add-menu-${nodeId}-${output}-${kind}`).click();
}

async function relayout(page: Page): Promise<void> {
  await page.getByTestId('auto-layout').click();
  await page.waitForTimeout(400); // fitView animates for 200 ms
}

describe('journey designer', () => {
  it('builds a journey from an empty canvas by drag and drop, publishes it, and counts an enrolment on the canvas', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/journeys`);
    await page.getByTestId('new-journey-name').fill('Welcome series');
    await page.getByTestId('create-journey').click();
    await page.getByTestId('node-trigger').waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(1);

    // palette → canvas, then wire the trigger to it
    await dragToCanvas(page, 'palette-action-email', { x: 500, y: 420 });
    await page.getByTestId('node-email-1').waitFor();
    await wire(page, 'handle-trigger-next', 'email-1');
    await eventually(
      () => page.locator('.react-flow__edge').count(),
      (v) => expect(v).toBe(1),
    );

    // configure the email in the inspector (a form drawn from the action's manifest)
    await page.getByTestId('node-email-1').click();
    await page.locator('#root_subject').fill('Welcome, {{ traits.first_name }}');
    await page.locator('#root_html').fill('<p>Glad you are here.</p>');

    // a wait after "sent", an exit after "skipped"
    await addAfter(page, 'email-1', 'sent', 'delay');
    await addAfter(page, 'email-1', 'skipped', 'exit');
    await page.getByTestId('node-delay-1').click();
    await page.getByTestId('delay-duration').getByLabel('amount').fill('2');

    // a branch dragged in and wired by hand
    await relayout(page);
    await dragToCanvas(page, 'palette-branch', { x: 250, y: 600 });
    await page.getByTestId('node-branch-1').waitFor();
    await relayout(page);
    await wire(page, 'handle-delay-1-next', 'branch-1');
    await page.getByTestId('node-branch-1').click();
    await page.getByTestId('add-condition-root').click();
    await page.getByTestId('condition-root-0').locator('input').first().fill('plan');
    await page.getByTestId('condition-root-0').locator('input').nth(1).fill('pro');
    await addAfter(page, 'branch-1', 'yes', 'exit');
    await addAfter(page, 'branch-1', 'no', 'exit');
    await relayout(page);

    // the same validator as the API: nothing left to fix, so Publish is enabled
    // On failure this names each problem the canvas shows, not just how many.
    const problemsShown = async () => ({
      summary: await page.getByTestId('journey-problems').count(),
      nodes: await page
        .locator('[data-testid^="node-issues-"]')
        .evaluateAll((badges) =>
          badges.map((b) => `${b.getAttribute('data-testid')}: ${b.getAttribute('title')}`),
        ),
    });
    await eventually(problemsShown, (v) => expect(v).toEqual({ summary: 0, nodes: [] }));
    await page.getByTestId('publish').click();
    await page.getByTestId('publish-confirm').click();
    await eventually(
      () => page.getByTestId('publish-result').textContent(),
      (v) => expect(v).toContain('Published version 1'),
    );
    await eventually(
      () => page.getByTestId('journey-status').textContent(),
      (v) => expect(v).toContain('v1'),
    );

    const journeyId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    const saved = await designer.stack.admin<{
      draft: {
        nodes: { id: string; kind: string; config?: { subject?: string } }[];
        edges: unknown[];
      };
    }>(`/api/v1/journeys/${encodeURIComponent(journeyId)}`);
    expect(saved.draft.nodes.map((n) => n.id).sort()).toEqual([
      'branch-1',
      'delay-1',
      'email-1',
      'exit-1',
      'exit-2',
      'exit-3',
      'trigger',
    ]);
    expect(saved.draft.edges).toHaveLength(6);
    expect(saved.draft.nodes.find((n) => n.id === 'email-1')?.config?.subject).toBe(
      'Welcome, {{ traits.first_name }}',
    );

    // enrol a contact through the API and watch the canvas count it
    const identified = await designer.stack.ingest('/v1/identify', {
      userId: 'e2e-ada',
      traits: { email: 'ada@example.com', plan: 'pro' },
    });
    expect(identified.status).toBeLessThan(300);
    await designer.stack.admin(`/api/v1/journeys/${encodeURIComponent(journeyId)}/enroll`, {
      body: { contactId: 'e2e-ada' },
    });
    await eventually(
      () =>
        page
          .getByTestId('node-stats-trigger')
          .textContent()
          .catch(() => ''),
      (v) => expect(v).toContain('1 entered'),
      { timeout: 60_000, interval: 1000 },
    );
    await screenshot(page, 'journey-canvas');

    // The contact's page says where the run is: at the email while it is being sent (no SMTP answers here),
    // then at the 2-day delay with the instant it moves on by itself.
    await page.goto(`${designer.stack.url}/#/contacts/e2e-ada`);
    await eventually(
      async () => {
        await page.reload();
        return page
          .getByTestId(`contact-run-now-${journeyId}`)
          .textContent({ timeout: 2000 })
          .catch(() => '');
      },
      (v) => expect(v).toMatch(/^At (email-1|delay-1 · moves on by itself \S.*)$/),
      { timeout: 30_000, interval: 1000 },
    );
    // The run is listed under the journey's name, linked to it.
    expect(await page.getByTestId('contact-journeys').locator('a').first().textContent()).toBe(
      'Welcome series',
    );
    await screenshot(page, 'contact-run-waiting');

    // Pausing asks first, saying who is inside and what becomes of them; keeping it running changes nothing.
    await page.goto(`${designer.stack.url}/#/journeys/${encodeURIComponent(journeyId)}`);
    await page.getByTestId('pause').click();
    await eventually(
      () => page.getByTestId('pause-dialog-text').textContent(),
      (v) =>
        expect(v).toBe(
          '1 contact is inside “Welcome series”. Each stops before its next step and waits there until you resume; messages already sent stay sent. Nobody new enters while it is paused.',
        ),
    );
    await screenshot(page, 'journey-pause-question');
    await page.getByTestId('pause-cancel').click();
    expect(await page.getByTestId('journey-status').textContent()).toMatch(/^published/);
    await page.getByTestId('pause').click();
    await page.getByTestId('pause-confirm').click();
    await eventually(
      () => page.getByTestId('journey-status').textContent(),
      (v) => expect(v).toMatch(/^paused/),
    );
    expect(
      (
        (await designer.stack.admin(`/api/v1/journeys/${encodeURIComponent(journeyId)}`)) as {
          status: string;
        }
      ).status,
    ).toBe('paused');
    expect(designer.pageErrors).toEqual([]);
  });

  it('previews a journey template on a virtual clock and highlights the path taken', async () => {
    const page = designer.page;
    const template = JOURNEY_TEMPLATES.find((t) => t.id === 'streaming-win-back')!;
    // The segment it starts from exists, so the template opens with nothing to fix.
    await designer.stack.admin('/api/v1/segments', {
      body: {
        id: 'lapsed-viewers',
        name: 'No viewing in 21 days',
        definition: {
          type: 'all',
          conditions: [
            {
              type: 'event',
              check: 'notPerformed',
              event: 'Video Watched',
              window: { amount: 21, unit: 'days' },
            },
          ],
        },
      },
    });
    const definition = instantiateTemplate(template, { lapsedSegmentId: 'lapsed-viewers' });
    const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: { name: 'Win-back preview', definition },
    });
    await page.goto(`${designer.stack.url}/#/journeys/${encodeURIComponent(created.id)}`);
    await page.getByTestId('node-wait-watch').waitFor();
    await eventually(
      () => page.locator('[data-testid^="node-issues-"]').count(),
      (v) => expect(v).toBe(0),
    );

    await page.getByTestId('simulate').click();
    // The described contact starts as Ada (email, first name, time zone): keep her name, drop the zone.
    await page.getByTestId('simulate-traits').getByTitle('Remove trait').nth(2).click();
    await page.getByTestId('simulate-add-event').click();
    await page.getByLabel('event 1 day').fill('3');
    await page.getByTestId('simulate-event-0-name').fill('Video Watched');
    await page.getByTestId('simulate-run').click();
    const timeline = page.getByTestId('simulate-timeline');
    await timeline.waitFor();
    expect(await timeline.textContent()).toContain('did “Video Watched”');
    expect(await page.getByTestId('simulate-messages').locator('li').count()).toBe(1);

    // The email reads as Ada would get it: Liquid rendered with her traits, not "{{ contact.traits.firstName }}".
    expect(await page.getByTestId('simulate-message-0-subject').textContent()).toContain(
      'Picked for you, Ada',
    );
    const body = page.frameLocator('[data-testid="simulate-message-0-body"]').locator('body');
    await eventually(
      () => body.textContent(),
      (v) => expect(v).toContain('Hi Ada'),
    );
    expect(await body.textContent()).not.toContain('{{');
    // What the template reads but this contact lacks is named, so an empty spot is not a surprise.
    expect(await page.getByTestId('simulate-message-0-missing').textContent()).toContain(
      'contact.traits.recommendedTitles',
    );
    for (const id of ['trigger', 'recommend', 'wait-watch', 'exit-returned']) {
      expect(await page.getByTestId(`node-${id}`).getAttribute('data-on-path')).toBe('true');
    }
    expect(await page.getByTestId('node-nudge').getAttribute('data-on-path')).toBeNull();
    await screenshot(page, 'journey-simulation');

    // without the event the viewer times out and gets the nudge too
    await page.getByTestId('simulate-event-0').getByTitle('Remove event').click();
    await page.getByTestId('simulate-run').click();
    await eventually(
      () => page.getByTestId('node-nudge').getAttribute('data-on-path'),
      (v) => expect(v).toBe('true'),
    );
    expect(await page.getByTestId('simulate-messages').locator('li').count()).toBe(2);
    expect(await page.getByTestId('simulate-message-1-subject').textContent()).toContain(
      'Still there, Ada?',
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('keeps the minimap and zoom controls off the journey on a laptop-sized window', async () => {
    const page = designer.page;
    const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: {
        name: 'Minimap placement',
        definition: instantiateTemplate(
          JOURNEY_TEMPLATES.find((t) => t.id === 'streaming-win-back')!,
          { lapsedSegmentId: 'lapsed-viewers' },
        ),
      },
    });
    try {
      for (const size of [
        { width: 1280, height: 720 },
        { width: 1440, height: 900 },
      ]) {
        await page.setViewportSize(size);
        await page.goto(`${designer.stack.url}/#/journeys/${encodeURIComponent(created.id)}`);
        await page.getByTestId('node-exit').waitFor();
        await page.waitForTimeout(300); // fitView runs once the steps are measured
        const overlays = [
          await page.locator('.react-flow__minimap').boundingBox(),
          await page.locator('.react-flow__controls').boundingBox(),
        ];
        const covered: string[] = [];
        for (const node of await page.locator('.react-flow__node').all()) {
          const box = await node.boundingBox();
          const hit =
            box &&
            overlays.some(
              (o) =>
                o &&
                box.x < o.x + o.width &&
                o.x < box.x + box.width &&
                box.y < o.y + o.height &&
                o.y < box.y + box.height,
            );
          if (hit)
            covered.push(`${await node.getAttribute('data-id')} at ${size.width}×${size.height}`);
        }
        expect(covered).toEqual([]);
        await screenshot(page, `journey-open-${size.width}x${size.height}`);
      }
      // Hidden on request, for a small screen.
      await page.getByTestId('toggle-minimap').click();
      expect(await page.locator('.react-flow__minimap').count()).toBe(0);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('asks, when publishing a segment-entry journey, whether the contacts already in the segment enter too, and enrols them when told to', async () => {
    const page = designer.page;
    await designer.stack.admin('/api/v1/segments', {
      body: {
        id: 'vip-members',
        name: 'VIP members',
        definition: {
          type: 'all',
          conditions: [{ type: 'trait', field: 'tier', operator: 'eq', value: 'vip' }],
        },
      },
    });
    for (const id of ['vip-1', 'vip-2']) {
      expect(
        (await designer.stack.ingest('/v1/identify', { userId: id, traits: { tier: 'vip' } }))
          .status,
      ).toBeLessThan(300);
    }
    const definition = {
      name: 'VIP welcome',
      settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
      nodes: [
        {
          id: 'trigger',
          kind: 'trigger',
          position: { x: 0, y: 0 },
          trigger: { type: 'segmentEntered', segmentId: 'vip-members' },
        },
        {
          id: 'wait',
          kind: 'delay',
          position: { x: 0, y: 140 },
          duration: { amount: 1, unit: 'days' },
        },
        { id: 'exit', kind: 'exit', position: { x: 0, y: 280 } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
        { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'exit' },
      ],
    };
    const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: { name: 'VIP welcome', definition },
    });
    await eventually(
      () =>
        designer.stack.admin<{ enrollExisting: { members: number } }>(
          `/api/v1/journeys/${encodeURIComponent(created.id)}/publish-preview`,
        ),
      (v) =>
        expect(v.enrollExisting).toEqual({
          applies: true,
          default: false,
          segmentId: 'vip-members',
          segmentName: 'VIP members',
          members: 2,
        }),
      { timeout: 30_000, interval: 500 },
    );
    await page.goto(`${designer.stack.url}/#/journeys/${encodeURIComponent(created.id)}`);
    await page.getByTestId('node-wait').waitFor();
    await page.getByTestId('publish').click();
    await eventually(
      () => page.getByTestId('publish-existing-members').textContent(),
      (v) => expect(v).toContain('Also enrol the 2 contacts already in “VIP members”'),
    );
    expect(await page.getByTestId('publish-enroll-existing').isChecked()).toBe(false);
    await page.getByTestId('publish-enroll-existing').check();
    await page.getByTestId('publish-confirm').click();
    await eventually(
      () => page.getByTestId('publish-result').textContent(),
      (v) => expect(v).toContain('2 contacts already in the segment are being enrolled'),
    );
    for (const id of ['vip-1', 'vip-2']) {
      await eventually(
        () => designer.stack.admin<{ journeys: { journeyId: string }[] }>(`/api/v1/contacts/${id}`),
        (v) => expect(v.journeys.map((j) => j.journeyId)).toContain(created.id),
        { timeout: 60_000, interval: 1000 },
      );
    }
    expect(designer.pageErrors).toEqual([]);
  });

  it('duplicates a journey from the list into a new draft, and archives one after asking', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/journeys`);
    await page.getByTestId('new-journey-name').fill('Spring sale');
    await page.getByTestId('create-journey').click();
    await page.getByTestId('node-trigger').waitFor();
    const created = { id: decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '') };
    await page.goto(`${designer.stack.url}/#/journeys`);
    await page.getByTestId(`journey-duplicate-${created.id}`).click();
    // The copy opens in the editor, named as a copy.
    await eventually(
      async () => ({
        id: decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? ''),
        title: await page.locator('.page h1, h1').first().textContent(),
      }),
      (v) => expect(v).toMatchObject({ title: 'Copy of Spring sale' }),
    );
    expect(decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '')).not.toBe(created.id);
    await page.goto(`${designer.stack.url}/#/journeys`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId(`journey-archive-${created.id}`).click();
    await eventually(
      () => page.getByTestId(`journey-row-${created.id}`).textContent(),
      (v) => expect(v).toContain('archived'),
    );
    await screenshot(page, 'journeys-list-actions');
    const list = await designer.stack.admin<{ name: string; status: string }[]>('/api/v1/journeys');
    expect(list.map((j) => `${j.name}: ${j.status}`).sort()).toEqual(
      expect.arrayContaining(['Copy of Spring sale: draft', 'Spring sale: archived']),
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('shows a not-found page at an unknown address, with a way back to the journeys', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/no-such-page`);
    const notFound = page.getByTestId('not-found');
    await notFound.waitFor();
    expect(await notFound.textContent()).toContain('Page not found');
    await notFound.getByRole('link').click();
    await page.getByTestId('new-journey-name').waitFor();
    expect(new URL(page.url()).hash).toBe('#/journeys');
  });

  it("checks an action's config against its registered JSON Schema as the marketer types, naming the field", async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/journeys`);
    await page.getByTestId('new-journey-name').fill('Webhook config');
    await page.getByTestId('create-journey').click();
    await page.getByTestId('node-trigger').waitFor();
    expect(await page.getByTestId('journey-status').textContent()).toBe('draft');
    await page.getByTestId('palette-action-webhook').click();
    await page.getByTestId('node-webhook-1').click();
    const form = page.getByTestId('action-config');
    await page.locator('#root_url').fill('ftp://hooks.acme.test');
    await eventually(
      () => form.locator('.error-detail').allTextContents(),
      (v) => expect(v.join(' ')).toContain('must match ^https?:\\/\\/'),
    );
    await screenshot(page, 'journey-webhook-config-error');
    // method and headers have defaults: leaving them out is not a problem.
    await page.locator('#root_url').fill('https://hooks.acme.test/cairn');
    await eventually(
      () => form.locator('.error-detail').count(),
      (v) => expect(v).toBe(0),
    );
    expect(designer.pageErrors).toEqual([]);
  });
});
