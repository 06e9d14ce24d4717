import { SEGMENT_TEMPLATES } from '@cairn/core';
import { createSegment } from '@cairn/db';
import { createDemoJourneys } from '../src/demo-journeys';
import { startApi, type RunningApi } from './harness';

describe('the demo store starts with journeys to open', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi();
  }, 60_000);
  afterAll(async () => api?.close());

  it('creates starter drafts on the demo segments that publish without a problem', async () => {
    const ws = await api.workspace('Demo coffee store');
    const workspaceId = ws.workspace._id;
    for (const t of SEGMENT_TEMPLATES)
      await createSegment(api.db.connection, workspaceId, {
        segmentId: t.id,
        name: t.name,
        definition: t.definition,
      });

    const ids = await createDemoJourneys(api.db.connection, workspaceId);
    const list = (await (await api.admin(ws.adminKey, '/api/v1/journeys')).json()) as {
      id: string;
      name: string;
      status: string;
    }[];
    expect(list.map((j) => [j.name, j.status]).sort()).toEqual([
      ['Customers by purchase frequency', 'draft'],
      ['Reorder reminder', 'draft'],
    ]);

    // Drafts, so nothing is sent until a marketer publishes; and valid against the demo's own segments.
    for (const id of ids) {
      const published = await api.admin(ws.adminKey, `/api/v1/journeys/${id}/publish`, {
        method: 'POST',
      });
      expect({
        id,
        status: published.status,
        body: published.status === 200 ? undefined : await published.text(),
      }).toEqual({ id, status: 200, body: undefined });
    }
  });
});
