import { readFileSync } from 'node:fs';
import { eventually, screenshot, useDesigner } from './harness.js';

const PRO = ['an-pro-1', 'an-pro-2', 'an-pro-3'];
const FREE = ['an-free-1', 'an-free-2'];

/** Signed Up → pro? the goal pulls pro contacts to it, then they exit; free ones wait a day. */
const byPlan = {
  name: 'Plan split',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'signed-up', kind: 'trigger', trigger: { type: 'event', event: 'Signed Up' } },
    {
      id: 'is-pro',
      kind: 'branch',
      label: 'On the pro plan?',
      condition: { on: 'entryEvent', filters: [{ path: 'plan', operator: 'eq', value: 'pro' }] },
    },
    {
      id: 'upgraded',
      kind: 'goal',
      label: 'Pro sign-up',
      condition: { on: 'entryEvent', filters: [{ path: 'plan', operator: 'eq', value: 'pro' }] },
    },
    { id: 'pro-done', kind: 'exit' },
    { id: 'free-wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
    { id: 'free-done', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'signed-up', sourceHandle: 'next', target: 'is-pro' },
    { id: 'e2', source: 'is-pro', sourceHandle: 'yes', target: 'upgraded' },
    { id: 'e3', source: 'is-pro', sourceHandle: 'no', target: 'free-wait' },
    { id: 'e4', source: 'upgraded', sourceHandle: 'next', target: 'pro-done' },
    { id: 'e5', source: 'free-wait', sourceHandle: 'next', target: 'free-done' },
  ],
};

const designer = useDesigner();

describe('analytics', () => {
  it('shows a journey’s funnel and exits as charts, and exports its runs as CSV', async () => {
    const page = designer.page;
    const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: { name: 'Plan split', definition: byPlan },
    });
    await designer.stack.admin(`/api/v1/journeys/${created.id}/publish`, { method: 'POST' });
    const batch = [...PRO, ...FREE].map((userId) => ({
      type: 'track',
      userId,
      event: 'Signed Up',
      messageId: `an-${userId}`,
      properties: { plan: PRO.includes(userId) ? 'pro' : 'free' },
    }));
    expect((await designer.stack.ingest('/v1/batch', { batch })).status).toBeLessThan(300);
    await eventually(
      () =>
        designer.stack.admin<{
          entered: number;
          exits: { runs: number }[];
          steps: { reached: number }[];
        }>(`/api/v1/journeys/${created.id}/funnel`),
      (f) => {
        expect(f.entered).toBe(5);
        expect(f.exits.reduce((a, e) => a + e.runs, 0)).toBe(PRO.length);
        expect(f.steps.find((s) => s.reached === FREE.length)).toBeDefined();
      },
      { timeout: 90_000, interval: 1000 },
    );

    await page.goto(`${designer.stack.url}/#/journeys/${encodeURIComponent(created.id)}`);
    await page.getByTestId('show-funnel').click();
    const chart = page.getByTestId('journey-funnel-chart');
    await chart.locator('svg').first().waitFor();
    expect(await page.getByTestId('funnel-totals').textContent()).toBe('5 entered · 3 converted');
    // Steps read top to bottom in graph order, by the names the canvas shows.
    await screenshot(page, 'journey-funnel-first-paint');
    // recharts wraps a long name over two <tspan> lines, so spaces are left out of the comparison.
    const squeeze = (names: string[]) => names.map((n) => n.replace(/\s+/g, ''));
    await eventually(
      () => chart.locator('.recharts-cartesian-axis-tick-value').allTextContents(),
      (ticks) =>
        expect(squeeze(ticks)).toEqual(
          squeeze([
            'When Signed Up happens',
            'On the pro plan?',
            'Pro sign-up',
            'Wait 1 day',
            'Leaves the journey (pro-done)',
            'Leaves the journey (free-done)',
          ]),
        ),
    );
    expect(
      await chart.locator('.recharts-label-list').first().locator('text').allTextContents(),
    ).toEqual(['5', '2', '3', '2', '3', '0']);
    expect(await page.getByTestId('funnel-exits').textContent()).toBe('Reached an exit step3100%');
    await page
      .getByTestId('funnel-days')
      .locator('.recharts-line-curve')
      .first()
      .waitFor({ state: 'attached' });
    await page.getByTestId('journey-funnel').scrollIntoViewIfNeeded();
    await screenshot(page, 'journey-funnel');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-runs').click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe(
      'contactId,status,currentNode,enteredAt,finishedAt,exitReason,detail,key,version',
    );
    expect(
      csv
        .slice(1)
        .map((l) => l.split(',').slice(0, 3).join(','))
        .sort(),
    ).toEqual([
      'an-free-1,active,free-wait',
      'an-free-2,active,free-wait',
      'an-pro-1,completed,pro-done',
      'an-pro-2,completed,pro-done',
      'an-pro-3,completed,pro-done',
    ]);
    expect(designer.pageErrors).toEqual([]);
  });

  it('draws a segment’s size over time with the charting library', async () => {
    const page = designer.page;
    const segment = await designer.stack.admin<{ id: string }>('/api/v1/segments', {
      body: {
        name: 'Signed up',
        definition: {
          type: 'all',
          conditions: [{ type: 'event', check: 'performed', event: 'Signed Up' }],
        },
      },
    });
    await eventually(
      () => designer.stack.admin<{ memberCount: number }>(`/api/v1/segments/${segment.id}`),
      (s) => expect(s.memberCount).toBe(5),
      { timeout: 60_000, interval: 1000 },
    );
    await page.goto(`${designer.stack.url}/#/segments/${encodeURIComponent(segment.id)}`);
    const chart = page.getByTestId('segment-history-chart');
    await chart.locator('.recharts-line-curve').first().waitFor({ state: 'attached' });
    await eventually(
      () => page.getByTestId('segment-history').locator('.chart-legend').textContent(),
      (text) => expect(text).toBe(' members 5'),
      { timeout: 60_000, interval: 1000 },
    );
    await page.getByTestId('segment-history').scrollIntoViewIfNeeded();
    await screenshot(page, 'segment-size-chart');
    expect(designer.pageErrors).toEqual([]);
  });
});
