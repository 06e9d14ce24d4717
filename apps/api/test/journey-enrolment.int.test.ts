// Who enters a journey, and on which version, seen as a user sees it: over HTTP, with real ingestion,
// the real dispatcher and real journey workflows.
import { startApi, type RunningApi } from './harness';
import {
  eventually,
  journeyWorkspace,
  startJourneyWorker,
  waitForGoThenMark,
} from './journey-worker';

type Run = {
  journeyId: string;
  key?: string;
  version: number;
  status: string;
  steps: { nodeId: string; output?: string }[];
};
type ContactDetail = { traits: Record<string, unknown>; journeys: Run[] };

/** Enters on the trigger, then waits for "Go" (a day at most), then marks the contact with `mark`. */
const waitThenMark = (trigger: unknown, mark: string) =>
  waitForGoThenMark({ name: `Wait then ${mark}`, trigger, setTraits: { ranVersion: mark } });

describe('journey enrolment over HTTP', () => {
  let api: RunningApi;
  let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;

  beforeAll(async () => {
    api = await startApi();
    journeyWorker = await startJourneyWorker(api, { segments: true });
  }, 180_000);

  afterAll(async () => {
    await journeyWorker?.stop();
    await api?.close();
  });

  async function workspace(name: string) {
    const ws = await journeyWorkspace<ContactDetail>(api, name);
    const track = (
      userId: string,
      event: string,
      properties: Record<string, unknown>,
      messageId: string,
    ) => ws.send('track', { userId, event, properties, messageId });
    return { ...ws, track };
  }

  describe('publishing a segment-entry journey: existing members enter only when asked', () => {
    it('without enrollExisting only new entrants enter; with it the current members enter this journey and no other', async () => {
      const ws = await workspace('Existing members');
      const segment = await ws.call<{ id: string }>('/segments', {
        name: 'Buyers',
        definition: {
          type: 'all',
          conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 1 }],
        },
      });
      expect(segment.status).toBe(201);
      const buyers = segment.body.id;
      for (const id of ['early-1', 'early-2'])
        await ws.track(id, 'Order Completed', { order_id: `o-${id}`, revenue: 20 }, `m-${id}`);
      await ws.dispatchAll(); // their entry happened before any journey existed
      const trigger = { type: 'segmentEntered', segmentId: buyers };

      const onlyNew = await ws.publishNew(waitThenMark(trigger, 'only-new'));
      expect(onlyNew.published).toEqual({ version: 1 });
      await ws.track('later', 'Order Completed', { order_id: 'o-later', revenue: 20 }, 'm-later');
      await ws.dispatchAll();
      await eventually('the new entrant to be enrolled', async () =>
        (await ws.contact('later')).journeys.some((r) => r.journeyId === onlyNew.id),
      );
      for (const id of ['early-1', 'early-2']) expect((await ws.contact(id)).journeys).toEqual([]);

      // What the publish dialog shows: the members counted now, and that they stay out unless asked.
      const draft = await ws.call<{ id: string }>('/journeys', {
        name: 'With existing',
        definition: waitThenMark(trigger, 'with-existing'),
      });
      expect((await ws.call(`/journeys/${draft.body.id}/publish-preview`)).body).toEqual({
        enrollExisting: {
          applies: true,
          default: false,
          segmentId: buyers,
          segmentName: 'Buyers',
          members: 3,
        },
      });
      const published = await ws.call(`/journeys/${draft.body.id}/publish`, {
        enrollExisting: true,
      });
      expect(published.status).toBe(200);
      expect(published.body).toEqual({
        version: 1,
        existingMembers: { segmentId: buyers, queued: 3 },
      });
      const withExisting = { id: draft.body.id };
      await ws.dispatchAll();
      for (const id of ['early-1', 'early-2', 'later']) {
        const runs = await eventually(`${id} in the journey`, async () => {
          const journeys = (await ws.contact(id)).journeys;
          return journeys.some((r) => r.journeyId === withExisting.id) && journeys;
        });
        // This journey only: the earlier journey does not get the existing members too.
        expect(runs.map((r) => r.journeyId).sort()).toEqual(
          (id === 'later' ? [onlyNew.id, withExisting.id] : [withExisting.id]).sort(),
        );
      }
    }, 120_000);

    it('refuses enrollExisting on a journey that does not start from a segment, naming the field', async () => {
      const ws = await workspace('Existing members, event trigger');
      const created = await ws.call<{ id: string }>('/journeys', {
        name: 'Event',
        definition: waitThenMark({ type: 'event', event: 'Signed Up' }, 'x'),
      });
      const refused = await ws.call<{ errors: { path: string }[] }>(
        `/journeys/${created.body.id}/publish`,
        { enrollExisting: true },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'enrollExisting' })]);
      expect((await ws.call(`/journeys/${created.body.id}/publish-preview`)).body).toEqual({
        enrollExisting: { applies: false },
      });
      expect((await ws.call<{ status: string }>(`/journeys/${created.body.id}`)).body.status).toBe(
        'draft',
      );
      expect(
        (await ws.call(`/journeys/${created.body.id}/publish`, { enrollExisting: 'yes' })).status,
      ).toBe(400);
    }, 60_000);
  });

  describe('template parameters over HTTP', () => {
    it('the heavy-buyer order count given to POST /journeys/from-template decides the branch a real run takes', async () => {
      const ws = await workspace('Template parameters');
      const segment = await ws.call<{ id: string }>('/segments', {
        name: 'Customers',
        definition: {
          type: 'all',
          conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 1 }],
        },
      });
      const created = await ws.call<{
        id: string;
        draft: { nodes: { id: string; branches?: { id: string; condition: unknown }[] }[] };
      }>('/journeys/from-template', {
        templateId: 'ecommerce-purchase-frequency',
        parameters: { customersSegmentId: segment.body.id, heavyBuyerOrders: 7 },
      });
      expect(created.status).toBe(201);
      const split = created.body.draft.nodes.find((n) => n.id === 'by-frequency')!;
      expect(split.branches!.find((b) => b.id === 'heavy')!.condition).toEqual({
        on: 'profile',
        condition: {
          type: 'all',
          conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 7 }],
        },
      });
      expect((await ws.call(`/journeys/${created.body.id}/publish`, {})).status).toBe(200);

      // Six orders: a heavy buyer at the default of 5, an occasional one at 7.
      for (let i = 1; i <= 6; i++)
        await ws.track(
          'six-orders',
          'Order Completed',
          { order_id: `six-${i}`, revenue: 30 },
          `six-${i}`,
        );
      await ws.dispatchAll();
      const run = await eventually('the run to pass the split', async () => {
        const r = (await ws.contact('six-orders')).journeys.find(
          (j) => j.journeyId === created.body.id,
        );
        return r?.steps.some((s) => s.nodeId === 'by-frequency') && r;
      });
      expect(run.steps.find((s) => s.nodeId === 'by-frequency')!.output).toBe('occasional');
    }, 120_000);

    it('names a parameter the template does not have, or a value that does not fit', async () => {
      const ws = await workspace('Template parameter errors');
      const typo = await ws.call<{ errors: { path: string; message: string }[] }>(
        '/journeys/from-template',
        {
          templateId: 'ecommerce-purchase-frequency',
          parameters: { customersSegmentId: 'buyers', heavyBuyerOrder: 7 },
        },
      );
      expect(typo.status).toBe(400);
      expect(typo.body.errors).toEqual([
        {
          path: 'parameters.heavyBuyerOrder',
          message: expect.stringContaining('heavyBuyerOrders'),
        },
      ]);
      const bad = await ws.call<{ errors: { path: string; message: string }[] }>(
        '/journeys/from-template',
        {
          templateId: 'ecommerce-purchase-frequency',
          parameters: { customersSegmentId: 'buyers', heavyBuyerOrders: 'lots' },
        },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([
        {
          path: 'parameters.heavyBuyerOrders',
          message: expect.stringContaining('whole number ≥ 2'),
        },
      ]);
      const missing = await ws.call<{ errors: { path: string }[] }>('/journeys/from-template', {
        templateId: 'ecommerce-purchase-frequency',
      });
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual([
        expect.objectContaining({ path: 'parameters.customersSegmentId' }),
      ]);
      expect(
        (await ws.call('/journeys/from-template', { templateId: 'no-such-template' })).status,
      ).toBe(400);
    }, 60_000);
  });

  describe('one run per key, and versions', () => {
    it('two real orders from one contact start two runs, one per order id; the same order again starts none', async () => {
      const ws = await workspace('One run per order');
      const perOrder = await ws.publishNew(
        waitThenMark({ type: 'event', event: 'Order Completed', key: 'order_id' }, 'per-order'),
      );
      await ws.track('two-orders', 'Order Completed', { order_id: 'A-1', revenue: 10 }, 'order-a1');
      await ws.track('two-orders', 'Order Completed', { order_id: 'A-2', revenue: 12 }, 'order-a2');
      await ws.dispatchAll();
      const runs = await eventually('two runs', async () => {
        const journeys = (await ws.contact('two-orders')).journeys.filter(
          (r) => r.journeyId === perOrder.id,
        );
        return journeys.length >= 2 && journeys;
      });
      expect(runs.map((r) => r.key).sort()).toEqual(['A-1', 'A-2']);
      expect(runs.every((r) => r.status === 'active')).toBe(true);

      // The same order sent again (a new message id, as a client retrying with a fresh id would) is not a new run.
      await ws.track(
        'two-orders',
        'Order Completed',
        { order_id: 'A-1', revenue: 10 },
        'order-a1-resent',
      );
      await ws.dispatchAll();
      expect(
        (await ws.contact('two-orders')).journeys
          .filter((r) => r.journeyId === perOrder.id)
          .map((r) => r.key)
          .sort(),
      ).toEqual(['A-1', 'A-2']);
    }, 120_000);

    it('publishing v2 leaves contacts already in v1 on v1; new entrants get v2', async () => {
      const ws = await workspace('Versions');
      const trigger = { type: 'event', event: 'Signed Up' };
      const journey = await ws.publishNew(waitThenMark(trigger, 'v1'));
      await ws.track('on-v1', 'Signed Up', {}, 'signup-v1');
      await ws.dispatchAll();
      await eventually('the v1 run', async () =>
        (await ws.contact('on-v1')).journeys.some((r) => r.journeyId === journey.id),
      );

      expect(
        (
          await ws.call(
            `/journeys/${journey.id}`,
            { definition: waitThenMark(trigger, 'v2') },
            'PUT',
          )
        ).status,
      ).toBe(200);
      expect((await ws.call(`/journeys/${journey.id}/publish`, {})).body).toEqual({ version: 2 });
      await ws.track('on-v2', 'Signed Up', {}, 'signup-v2');
      await ws.dispatchAll();
      await eventually('the v2 run', async () =>
        (await ws.contact('on-v2')).journeys.some((r) => r.journeyId === journey.id),
      );

      for (const id of ['on-v1', 'on-v2']) await ws.track(id, 'Go', {}, `go-${id}`);
      await ws.dispatchAll();
      const [first, second] = await Promise.all(
        ['on-v1', 'on-v2'].map((id) =>
          eventually(`${id} to finish`, async () => {
            const c = await ws.contact(id);
            return c.traits.ranVersion !== undefined && c;
          }),
        ),
      );
      expect(first!.traits.ranVersion).toBe('v1');
      expect(first!.journeys.find((r) => r.journeyId === journey.id)!.version).toBe(1);
      expect(second!.traits.ranVersion).toBe('v2');
      expect(second!.journeys.find((r) => r.journeyId === journey.id)!.version).toBe(2);
    }, 120_000);
  });
});
