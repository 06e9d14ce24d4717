import { JOURNEY_TEMPLATES, instantiateTemplate } from '@cairn/core';
import type { Page } from 'playwright-core';
import { eventually, screenshot, useDesigner } from './harness.js';

const designer = useDesigner();

const SETTINGS = { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 };
type SavedDraft = {
  draft: {
    nodes: { id: string }[];
    edges: { source: string; sourceHandle: string; target: string }[];
  };
};

/** A journey created over the API with no positions, so the editor lays it out when it opens. */
async function createJourney(
  name: string,
  nodes: Record<string, unknown>[],
  edges: [string, string, string][],
): Promise<string> {
  const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
    body: {
      name,
      definition: {
        name,
        settings: SETTINGS,
        nodes,
        edges: edges.map(([source, sourceHandle, target], i) => ({
          id: `e${i}`,
          source,
          sourceHandle,
          target,
        })),
      },
    },
  });
  return created.id;
}

const editorUrl = (id: string) => `${designer.stack.url}/#/journeys/${encodeURIComponent(id)}`;
const savedDraft = (id: string) =>
  designer.stack.admin<SavedDraft>(`/api/v1/journeys/${encodeURIComponent(id)}`);
const outputsOf = (draft: SavedDraft, id: string) =>
  Object.fromEntries(
    draft.draft.edges.filter((e) => e.source === id).map((e) => [e.sourceHandle, e.target]),
  );
const keptDrafts = (page: Page) =>
  page.evaluate(() =>
    Object.keys(localStorage).filter((k) => k.startsWith('cairn.journey-draft.')),
  );

/** The zoom React Flow draws at, read from the viewport's transform. */
async function zoom(page: Page): Promise<number> {
  const transform = await page.locator('.react-flow__viewport').getAttribute('style');
  return Number(/scale\(([\d.]+)\)/.exec(transform ?? '')?.[1] ?? NaN);
}

describe('journey editing', () => {
  it('asks before leaving with unsaved changes, keeps them on this computer, and offers them back', async () => {
    const page = designer.page;
    const id = await createJourney(
      'Leave guard',
      [
        { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } },
        { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
        { id: 'exit', kind: 'exit' },
      ],
      [
        ['trigger', 'next', 'wait'],
        ['wait', 'next', 'exit'],
      ],
    );
    await designer.stack.admin(`/api/v1/journeys/${encodeURIComponent(id)}/publish`, { body: {} });

    // Opened (and laid out on the spot), then laid out again: nothing a contact meets has changed.
    await page.goto(editorUrl(id));
    await page.getByTestId('node-wait').waitFor();
    await page.getByTestId('auto-layout').click();
    await page.waitForTimeout(400);
    expect(await page.getByTestId('journey-status').textContent()).toContain('published');
    expect(await page.getByTestId('unsaved').count()).toBe(0);

    // An edit, then the toolbar's way out: held, with the question asked in the page.
    await page.getByTestId('palette-action-webhook').click();
    await page.getByTestId('node-webhook-1').waitFor();
    await page.getByTestId('unsaved').waitFor();
    await page.locator('.editor-toolbar a.back').click();
    await page.getByTestId('leave-dialog').waitFor();
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/journeys/${id}`);
    await screenshot(page, 'journey-leave-dialog');
    await page.getByTestId('leave-stay').click();
    expect(await page.getByTestId('leave-dialog').count()).toBe(0);
    expect(await page.getByTestId('node-webhook-1').count()).toBe(1);

    // Reloading asks the browser's own question; the edit comes back as an offer.
    await page.waitForTimeout(600); // the copy is written once typing pauses
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.type());
      void dialog.accept();
    });
    await page.reload();
    expect(asked).toEqual(['beforeunload']);
    const offer = page.getByTestId('restore-draft');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('kept on this computer');
    expect(await page.getByTestId('node-webhook-1').count()).toBe(0);
    await screenshot(page, 'journey-restore-draft');
    await page.getByTestId('restore-draft-accept').click();
    await page.getByTestId('node-webhook-1').waitFor();
    await page.getByTestId('unsaved').waitFor();

    // Saved on the way out: the server has the step and this computer keeps nothing.
    await page.locator('.editor-toolbar a.back').click();
    await page.getByTestId('leave-save').click();
    await page.getByTestId('new-journey-name').waitFor();
    expect((await savedDraft(id)).draft.nodes.map((n) => n.id)).toContain('webhook-1');
    expect(await keptDrafts(page)).toEqual([]);
    await page.goto(editorUrl(id));
    await page.getByTestId('node-webhook-1').waitFor();
    expect(await page.getByTestId('restore-draft').count()).toBe(0);
    expect(await page.getByTestId('unsaved').count()).toBe(0);

    // The back button is held too; discarding goes on and forgets the edit.
    await page.getByTestId('palette-delay').click();
    await page.getByTestId('node-delay-1').waitFor();
    await page.goBack();
    await page.getByTestId('leave-dialog').waitFor();
    await page.getByTestId('leave-discard').click();
    await page.getByTestId('new-journey-name').waitFor();
    expect(await keptDrafts(page)).toEqual([]);
    await page.goto(editorUrl(id));
    await page.getByTestId('node-webhook-1').waitFor();
    expect(await page.getByTestId('node-delay-1').count()).toBe(0);
    expect(await page.getByTestId('restore-draft').count()).toBe(0);
    expect(designer.pageErrors).toEqual([]);
  });

  it('sends Sent and Skipped on to the step added after an email, and lets "+" go to a step already there', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/journeys`);
    await page.getByTestId('new-journey-name').fill('Plus menu');
    await page.getByTestId('create-journey').click();
    await page.getByTestId('node-trigger').waitFor();
    const id = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');

    const menu = (node: string, output: string) => page.getByTestId(`add-menu-${node}-${output}`);
    await page.getByTestId('add-after-trigger-next').click();
    await menu('trigger', 'next').getByTestId('add-menu-trigger-next-action-email').click();
    await page.getByTestId('node-email-1').waitFor();

    // The menu closes as menus do: on Escape, and on a click on the canvas.
    await page.getByTestId('add-after-email-1-sent').click();
    await menu('email-1', 'sent').waitFor();
    await page.keyboard.press('Escape');
    expect(await menu('email-1', 'sent').count()).toBe(0);
    await page.getByTestId('add-after-email-1-sent').click();
    await page.locator('.react-flow__pane').click({ position: { x: 12, y: 12 } });
    expect(await menu('email-1', 'sent').count()).toBe(0);

    await page.getByTestId('add-after-email-1-sent').click();
    await page.getByTestId('add-menu-email-1-sent-delay').click();
    await page.getByTestId('node-delay-1').waitFor();
    await page.getByTestId('add-after-delay-1-next').click();
    await page.getByTestId('add-menu-delay-1-next-exit').click();
    await page.getByTestId('node-exit-1').waitFor();
    await page.getByTestId('save-draft').click();
    await eventually(
      () => savedDraft(id),
      (v) => expect(outputsOf(v, 'email-1')).toEqual({ sent: 'delay-1', skipped: 'delay-1' }),
    );

    // Open under the trigger, the menu is drawn over the steps below it, not under them.
    await page.getByTestId('add-after-trigger-next').click();
    const lastItem = menu('trigger', 'next').locator('button').last();
    await lastItem.scrollIntoViewIfNeeded();
    const box = (await lastItem.boundingBox())!;
    const onTop = await page.evaluate(
      ({ x, y }) => !!document.elementFromPoint(x, y)?.closest('.add-menu'),
      { x: box.x + box.width / 2, y: box.y + box.height / 2 },
    );
    expect(onTop).toBe(true);
    await screenshot(page, 'journey-add-menu');
    await page.keyboard.press('Escape');

    // "+" on Skipped, to the exit that is already on the canvas.
    await page.getByTestId('add-after-email-1-skipped').click();
    await page.getByTestId('add-menu-email-1-skipped-existing').selectOption('exit-1');
    expect(await menu('email-1', 'skipped').count()).toBe(0);
    await page.getByTestId('save-draft').click();
    await eventually(
      () => savedDraft(id),
      (v) => expect(outputsOf(v, 'email-1')).toEqual({ sent: 'delay-1', skipped: 'exit-1' }),
    );
    await screenshot(page, 'journey-email-outputs');
    expect(designer.pageErrors).toEqual([]);
  });

  it('lays a long journey out at a zoom that stays readable, and brings a new step into view', async () => {
    const page = designer.page;
    const steps = 16;
    const waits = Array.from({ length: steps }, (_, i) => ({
      id: `w${i + 1}`,
      kind: 'waitFor',
      for: { type: 'event', event: 'Order Completed' },
      timeout: { amount: 1, unit: 'days' },
    }));
    const id = await createJourney(
      'Long chain',
      [
        { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } },
        ...waits,
        { id: 'exit', kind: 'exit' },
      ],
      [
        ['trigger', 'next', 'w1'],
        ...waits.map((w, i): [string, string, string] => [
          w.id,
          'matched',
          i + 1 < steps ? `w${i + 2}` : 'exit',
        ]),
      ],
    );
    await page.goto(editorUrl(id));
    await page.getByTestId('node-w1').waitFor();
    await page.getByTestId('auto-layout').click();
    await page.waitForTimeout(500);
    expect(await zoom(page)).toBeGreaterThanOrEqual(0.6);
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    const trigger = (await page.getByTestId('node-trigger').boundingBox())!;
    expect(trigger.y).toBeGreaterThanOrEqual(canvas.y);
    await screenshot(page, 'journey-long-layout');

    // The lowest step whose "+" can be clicked: a step added under it lands below the canvas's edge.
    let lowest = '';
    for (let i = 1; i <= steps; i++) {
      const plus = await page.getByTestId(`add-after-w${i}-timeout`).boundingBox();
      if (plus && plus.y + plus.height < canvas.y + canvas.height - 8) lowest = `w${i}`;
    }
    expect(lowest).not.toBe('');
    await page.getByTestId(`add-after-${lowest}-timeout`).click();
    await page.getByTestId(`add-menu-${lowest}-timeout-exit`).click();
    await page.getByTestId('node-exit-1').waitFor();
    await eventually(
      async () => (await page.getByTestId('node-exit-1').boundingBox())!,
      (added) => {
        expect(added.y).toBeGreaterThanOrEqual(canvas.y);
        expect(added.y + added.height).toBeLessThanOrEqual(canvas.y + canvas.height);
      },
      { timeout: 3_000 },
    );
    await screenshot(page, 'journey-new-step-in-view');
    await page.getByTestId('save-draft').click();
    await page.getByTestId('unsaved').waitFor({ state: 'detached' });
    expect(designer.pageErrors).toEqual([]);
  });

  it('opens a big journey at a zoom that stays readable, its trigger in view', async () => {
    const page = designer.page;
    const steps = 30;
    const waits = Array.from({ length: steps }, (_, i) => ({
      id: `b${i + 1}`,
      kind: 'delay',
      duration: { amount: i + 1, unit: 'days' },
    }));
    const id = await createJourney(
      'Big on open',
      [
        { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } },
        ...waits,
        { id: 'exit', kind: 'exit' },
      ],
      [
        ['trigger', 'next', 'b1'],
        ...waits.map((w, i): [string, string, string] => [
          w.id,
          'next',
          i + 1 < steps ? `b${i + 2}` : 'exit',
        ]),
      ],
    );
    await page.goto(editorUrl(id));
    await page.getByTestId('node-b1').waitFor();
    // The first look lands once the steps are measured; nothing is clicked.
    await eventually(
      () => zoom(page),
      (z) => expect(z).toBeGreaterThanOrEqual(0.6),
      { timeout: 3_000 },
    );
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    const trigger = (await page.getByTestId('node-trigger').boundingBox())!;
    expect(trigger.y).toBeGreaterThanOrEqual(canvas.y);
    expect(trigger.y + trigger.height).toBeLessThanOrEqual(canvas.y + canvas.height);
    expect(trigger.x).toBeGreaterThanOrEqual(canvas.x);
    expect(trigger.x + trigger.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    // The card's words are drawn (far zoom hides them).
    expect(await page.getByTestId('canvas').getAttribute('class')).not.toContain('far');
    await screenshot(page, 'journey-big-first-open');
    // The whole journey is one click away: the fit-view control still shrinks it to fit.
    await page.locator('.react-flow__controls-fitview').click();
    await eventually(
      () => zoom(page),
      (z) => expect(z).toBeLessThan(0.6),
      { timeout: 3_000 },
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('draws no edge behind a step after auto-layout', async () => {
    const page = designer.page;
    const template = JOURNEY_TEMPLATES.find((t) => t.id === 'ecommerce-purchase-frequency')!;
    const definition = instantiateTemplate(template, { customersSegmentId: 'customers' });
    const created = await designer.stack.admin<{ id: string }>('/api/v1/journeys', {
      body: { name: 'Purchase frequency', definition },
    });
    await page.goto(editorUrl(created.id));
    await page.getByTestId('node-early-access').waitFor();
    await page.getByTestId('auto-layout').click();
    await page.waitForTimeout(500);
    const ends = Object.fromEntries(definition.edges.map((e) => [e.id, [e.source, e.target]]));
    // Each edge's drawn line, sampled along its length, against the cards of every other step.
    const behind = await page.evaluate((edgeEnds: Record<string, string[]>) => {
      const cards = [...document.querySelectorAll<HTMLElement>('.react-flow__node')].map((n) => ({
        id: n.dataset.id ?? '',
        box: n.getBoundingClientRect(),
      }));
      const found: string[] = [];
      for (const [edgeId, [source, target]] of Object.entries(edgeEnds)) {
        const path = document.querySelector<SVGPathElement>(
          `[data-testid="rf__edge-${edgeId}"] path.react-flow__edge-path`,
        );
        if (!path) continue;
        const matrix = path.getScreenCTM()!;
        const length = path.getTotalLength();
        for (let d = 0; d <= length; d += 6) {
          const p = new DOMPoint(
            path.getPointAtLength(d).x,
            path.getPointAtLength(d).y,
          ).matrixTransform(matrix);
          const hit = cards.find(
            (c) =>
              c.id !== source &&
              c.id !== target &&
              p.x > c.box.left + 2 &&
              p.x < c.box.right - 2 &&
              p.y > c.box.top + 2 &&
              p.y < c.box.bottom - 2,
          );
          if (hit) {
            found.push(`${edgeId} (${source}→${target}) behind ${hit.id}`);
            break;
          }
        }
      }
      return found;
    }, ends);
    expect(behind).toEqual([]);
    await screenshot(page, 'journey-routed-edges');
    expect(designer.pageErrors).toEqual([]);
  });
});
