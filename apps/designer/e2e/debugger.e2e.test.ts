import { eventually, screenshot, signIn, useDesigner } from './harness.js';

const designer = useDesigner({ signIn: false });

/** A /v1 call as an SDK sends it, without waiting for the fold. */
async function send(path: string, body: unknown): Promise<Response> {
  return fetch(`${designer.stack.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${designer.stack.workspace.writeKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
}

describe('the event debugger in the designer', () => {
  it('shows a first event land live, a refused call with its field path, and filters by user', async () => {
    const page = designer.page;
    await signIn(page, designer.stack);
    await page.getByTestId('nav-debugger').click();
    await page.getByTestId('debugger-no-events').waitFor();
    expect(await page.getByTestId('debugger-lag').textContent()).toBe('Profiles are up to date');

    // The page is already open: the events must appear by its polling, without a reload.
    expect(
      (
        await send('/v1/track', {
          userId: 'dev-ana',
          event: 'Signed Up',
          properties: { plan: 'pro' },
        })
      ).status,
    ).toBe(200);
    expect((await send('/v1/track', { userId: 'dev-bo', event: 'Order Completed' })).status).toBe(
      200,
    );
    expect(
      (await send('/v1/track', { userId: 'dev-ana', event: 'Late', timestamp: 'not a date' }))
        .status,
    ).toBe(400);

    const names = page.getByTestId('debugger-event-name');
    await eventually(
      () => names.allTextContents(),
      (v) => expect(v).toEqual(['Order Completed', 'Signed Up']),
      { timeout: 10_000 },
    );
    const reasons = page.getByTestId('debugger-reason');
    await eventually(
      () => reasons.allTextContents(),
      (v) => expect(v.join(' ')).toContain('timestamp'),
      { timeout: 10_000 },
    );

    await page.getByTestId('debugger-event-row').last().click();
    expect(await page.getByTestId('debugger-properties').textContent()).toContain('"plan": "pro"');
    await page.getByTestId('debugger-refusal').first().click();
    expect(await page.getByTestId('debugger-body').textContent()).toContain('not a date');
    await screenshot(page, 'debugger');

    await page.getByTestId('debugger-user').fill('bo');
    await eventually(
      () => names.allTextContents(),
      (v) => expect(v).toEqual(['Order Completed']),
    );
    await page.getByTestId('debugger-no-refusals').waitFor();
    await screenshot(page, 'debugger-filtered');
    expect(designer.pageErrors).toEqual([]);
  });
});
