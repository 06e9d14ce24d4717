import { startApi, type RunningApi } from './harness';

/** "14 days before the predicted reorder", written as the docs once wrote it: `purchase.` for `purchases.`. */
function reorderReminder(field: string, subject = 'Time to reorder') {
  return {
    name: 'Reorder reminder',
    settings: { reentry: { policy: 'afterExit' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      {
        id: 'trigger',
        kind: 'trigger',
        trigger: { type: 'event', event: 'Order Completed', key: 'order_id' },
      },
      {
        id: 'wait',
        kind: 'waitUntil',
        until: { type: 'profileDate', field, offset: { amount: -14, unit: 'days' } },
      },
      {
        id: 'remind',
        kind: 'action',
        action: { type: 'email', version: 1 },
        config: { subject, html: '<p>Reorder now</p>' },
      },
      { id: 'exit', kind: 'exit' },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
      { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'remind' },
      { id: 'e3', source: 'remind', sourceHandle: 'sent', target: 'exit' },
      { id: 'e4', source: 'remind', sourceHandle: 'skipped', target: 'exit' },
    ],
  };
}

type Problem = {
  title?: string;
  detail?: string;
  errors?: { path: string; message: string; nodeId?: string }[];
};

describe('a journey that reads a profile path that does not exist is not published', () => {
  let api: RunningApi;
  let adminKey: string;

  beforeAll(async () => {
    api = await startApi();
    adminKey = (await api.workspace('Profile paths')).adminKey;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  });

  const call = async <T>(
    path: string,
    body?: unknown,
    method?: string,
  ): Promise<{ status: number; type: string | null; body: T }> => {
    const response = await api.admin(adminKey, `/api/v1${path}`, {
      body,
      ...(method ? { method } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  };

  it('validate and publish name the wait, the path and the real one; the corrected path publishes', async () => {
    const typo = reorderReminder('purchase.predictedNextOrderAt');
    const checked = await call<{ errors: { path: string; message: string }[] }>(
      '/journeys/validate',
      { definition: typo },
    );
    expect(checked.body.errors).toEqual([
      expect.objectContaining({
        path: 'nodes[1].until.field',
        message: expect.stringContaining(
          '"purchase.predictedNextOrderAt" is not on the contact profile — did you mean "purchases.predictedNextOrderAt"?',
        ),
      }),
    ]);

    const created = await call<{ id: string }>('/journeys', {
      name: 'Reorder reminder',
      definition: typo,
    });
    expect(created.status).toBe(201);
    const refused = await call<Problem>(`/journeys/${created.body.id}/publish`, {});
    expect(refused.status).toBe(422);
    expect(refused.type).toMatch(/^application\/problem\+json/);
    expect(refused.body.errors).toEqual([
      {
        path: 'nodes[1].until.field',
        nodeId: 'wait',
        message: expect.stringContaining('did you mean "purchases.predictedNextOrderAt"?'),
      },
    ]);
    expect((await call<{ status: string }>(`/journeys/${created.body.id}`)).body.status).toBe(
      'draft',
    );

    expect(
      (
        await call(
          `/journeys/${created.body.id}`,
          { definition: reorderReminder('purchases.predictedNextOrderAt') },
          'PUT',
        )
      ).status,
    ).toBe(200);
    expect(await call(`/journeys/${created.body.id}/publish`, {})).toMatchObject({
      status: 200,
      body: { version: 1 },
    });
  });

  it('refuses a number where a date is waited on, and Liquid that reads a missing profile field', async () => {
    const countAsDate = await call<{ errors: { message: string }[] }>('/journeys/validate', {
      definition: reorderReminder('purchases.orderCount'),
    });
    expect(countAsDate.body.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('"purchases.orderCount" is a number, not a date'),
    ]);

    const liquid = reorderReminder(
      'purchases.predictedNextOrderAt',
      'Order number {{ contact.profile.purchase.orderCount | plus: 1 }} is due',
    );
    const created = await call<{ id: string }>('/journeys', {
      name: 'Liquid typo',
      definition: liquid,
    });
    const refused = await call<Problem>(`/journeys/${created.body.id}/publish`, {});
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      {
        path: 'nodes[2].config.subject',
        nodeId: 'remind',
        message: expect.stringContaining(
          'reads "contact.profile.purchase.orderCount": "purchase.orderCount" is not on the contact profile — did you mean "purchases.orderCount"?',
        ),
      },
    ]);
  });

  it('leaves traits and event names open: a trait date and a named event publish', async () => {
    for (const field of [
      'traits.renewal_at',
      'events["Trial Started"].firstAt',
      'purchases.products[espresso-1kg].nextReorderAt',
    ]) {
      const checked = await call<{ errors: unknown[] }>('/journeys/validate', {
        definition: reorderReminder(field),
      });
      expect({ field, errors: checked.body.errors }).toEqual({ field, errors: [] });
    }
  });

  it('refuses to save a message template that reads a profile field that does not exist, and saves the corrected one', async () => {
    const template = {
      name: 'Reorder',
      channel: 'email',
      subject: 'Time to reorder',
      html: '<p>You usually reorder around {{ contact.profile.purchase.predictedNextOrderAt | divided_by: 1000 | date: "%b %d" }}.</p>',
    };
    const refused = await call<Problem>('/templates', template);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      {
        path: 'html',
        message: expect.stringContaining('did you mean "purchases.predictedNextOrderAt"?'),
      },
    ]);
    const fixed = await call('/templates', {
      ...template,
      html: template.html.replace('purchase.', 'purchases.'),
    });
    expect(fixed.status).toBe(201);
  });
});
