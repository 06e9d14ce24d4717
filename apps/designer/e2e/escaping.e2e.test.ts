import { eventually, useDesigner } from './harness.js';

/**
 * Names, subjects and traits are typed by marketers or sent by anyone holding a write key; the designer
 * must show them as text, never run them. Each payload sets window.__xss if it ever executes.
 */
const IMG = '<img src=x onerror="window.__xss=1">';
const SCRIPT = '<script>window.__xss=2</script>';
const SVG = '<svg onload="window.__xss=3"></svg>';

let segmentId: string;
let journeyId: string;

const designer = useDesigner({
  seed: async (stack) => {
    const segment = await stack.admin<{ id: string }>('/api/v1/segments', {
      body: {
        name: `Segment ${IMG}`,
        description: SCRIPT,
        definition: {
          type: 'all',
          conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: SVG }],
        },
      },
    });
    segmentId = segment.id;
    await stack.admin('/api/v1/templates', {
      body: {
        name: `Template ${IMG}`,
        channel: 'email',
        subject: `Hi ${SCRIPT}`,
        html: `<p>${IMG}</p>`,
      },
    });
    const journey = await stack.admin<{ id: string }>('/api/v1/journeys', {
      body: {
        name: `Journey ${IMG}`,
        definition: {
          name: `Journey ${IMG}`,
          settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
          nodes: [
            { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } },
            {
              id: 'email-1',
              kind: 'action',
              action: { type: 'email', version: 1 },
              config: { subject: `Subject ${SCRIPT}`, html: `<p>${IMG}</p>` },
            },
            { id: 'done', kind: 'exit' },
          ],
          edges: [
            { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'email-1' },
            { id: 'e2', source: 'email-1', sourceHandle: 'sent', target: 'done' },
            { id: 'e3', source: 'email-1', sourceHandle: 'skipped', target: 'done' },
          ],
        },
      },
    });
    journeyId = journey.id;
    const ingest = await stack.ingest('/v1/identify', {
      userId: `contact-${IMG}`,
      traits: { first_name: SCRIPT, plan: SVG },
    });
    if (ingest.status >= 300)
      throw new Error(`identify → ${ingest.status}: ${await ingest.text()}`);
  },
});

/**
 * Elements the payloads would create if rendered as HTML. Checked besides the flag because the API's CSP
 * (script-src 'self') would stop the handlers from running even if the designer injected the markup.
 */
async function injectedElements(): Promise<number> {
  return designer.page.locator('img[onerror], svg[onload], script:not([src])').count();
}

async function xssFlag(): Promise<unknown> {
  return designer.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);
}

describe('designer escaping', () => {
  it('shows segment names and conditions as text', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/segments`);
    await eventually(
      () => page.locator('body').innerText(),
      (text) => expect(text).toContain(`Segment ${IMG}`),
    );
    expect(await injectedElements()).toBe(0);
    await page.goto(`${designer.stack.url}/#/segments/${segmentId}`);
    await eventually(
      () => page.getByTestId('segment-name').inputValue(),
      (v) => expect(v).toBe(`Segment ${IMG}`),
    );
    expect(await injectedElements()).toBe(0);
    expect(await xssFlag()).toBeUndefined();
  });

  it('shows journey names and email subjects as text, on the list, the canvas and in the inspector', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/journeys`);
    await eventually(
      () => page.locator('body').innerText(),
      (text) => expect(text).toContain(`Journey ${IMG}`),
    );
    await page.goto(`${designer.stack.url}/#/journeys/${journeyId}`);
    await page.getByTestId('node-email-1').waitFor();
    await page.getByTestId('node-email-1').click();
    await eventually(
      () => page.locator('#root_subject').inputValue(),
      (v) => expect(v).toBe(`Subject ${SCRIPT}`),
    );
    expect(await page.locator('body').innerText()).toContain(`Journey ${IMG}`);
    expect(await injectedElements()).toBe(0);
    expect(await xssFlag()).toBeUndefined();
  });

  it('shows the subject literally in a simulation, and contact data as text', async () => {
    const page = designer.page;
    await page.getByTestId('simulate').click();
    await page.getByTestId('simulate-run').click();
    await eventually(
      () => page.getByTestId('simulate-messages').innerText(),
      (text) => expect(text).toContain(`Subject ${SCRIPT}`),
    );
    // The rendered email body is shown as the contact's mail client would, but in a sandbox: no scripts, no access to the designer.
    expect(await page.getByTestId('simulate-message-0-body').getAttribute('sandbox')).toBe('');
    expect(
      await page
        .frameLocator('[data-testid="simulate-message-0-body"]')
        .locator('img[src="x"]')
        .count(),
    ).toBe(1);
    await page.goto(`${designer.stack.url}/#/contacts/${encodeURIComponent(`contact-${IMG}`)}`);
    await eventually(
      () => page.locator('body').innerText(),
      (text) => expect(text).toContain(`contact-${IMG}`),
      { timeout: 30_000, interval: 500 },
    );
    // Let any deferred handler (image error, svg load) fire before the verdict.
    await page.waitForTimeout(500);
    expect(await injectedElements()).toBe(0);
    expect(await xssFlag()).toBeUndefined();
    expect(designer.pageErrors).toEqual([]);
  });

  it('would notice injected markup (the probe itself works)', async () => {
    const page = designer.page;
    await page.evaluate(
      (html) => document.body.insertAdjacentHTML('beforeend', `<div id="probe">${html}</div>`),
      IMG,
    );
    expect(await injectedElements()).toBe(1);
    await page.evaluate(() => document.getElementById('probe')?.remove());
  });
});
