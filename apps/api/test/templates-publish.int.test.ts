import { JOURNEY_TEMPLATES, instantiateTemplate, type JourneyTemplate } from '@cairn/core';
import { startApi, type RunningApi } from './harness';

/** A segment for each segment parameter of the templates, as a marketer would define it. */
const SEGMENTS: Record<string, { name: string; definition: unknown }> = {
  lapsedSegmentId: {
    name: 'No viewing in 21 days',
    definition: {
      type: 'all',
      conditions: [
        { type: 'event', check: 'performed', event: 'Video Watched' },
        {
          type: 'event',
          check: 'notPerformed',
          event: 'Video Watched',
          window: { amount: 21, unit: 'days' },
        },
      ],
    },
  },
  customersSegmentId: {
    name: 'Customers',
    definition: {
      type: 'all',
      conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 1 }],
    },
  },
  featureUnusedSegmentId: {
    name: 'Reports unused for 14 days',
    definition: {
      type: 'all',
      conditions: [
        {
          type: 'event',
          check: 'notPerformed',
          event: 'Report Created',
          window: { amount: 14, unit: 'days' },
        },
      ],
    },
  },
};

/** A viewer and shopper with a history, and a contact we know nothing about. */
const ADA = {
  id: 'ada',
  traits: {
    firstName: 'Ada',
    email: 'ada@example.com',
    recommendedTitles: ['Arrival', 'Contact', 'Interstellar', 'Solaris'],
  },
  profile: {
    events: {
      'Video Watched': {
        count: 12,
        recent: [{ at: 1, messageId: 'w12', properties: { title: 'Dune: Part Two' } }],
      },
    },
    purchases: { orderCount: 6, meanDaysBetweenOrders: 29.6 },
    categories: { topCategory: 'coffee' },
  },
};
const STRANGER = { id: 'stranger', traits: {}, profile: {} };

type Problem = { detail?: string; errors?: { path: string; message: string }[] };

describe('journey templates publish on the real API', () => {
  let api: RunningApi;
  let adminKey: string;

  beforeAll(async () => {
    api = await startApi();
    adminKey = (await api.workspace('Templates')).adminKey;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  });

  const call = async <T>(
    path: string,
    body?: unknown,
    method?: string,
  ): Promise<{ status: number; body: T }> => {
    const response = await api.admin(adminKey, path, { body, ...(method ? { method } : {}) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  /** Creates the segments the template needs through POST /api/v1/segments and fills its parameters with their ids. */
  async function parametersFor(template: JourneyTemplate): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    for (const parameter of template.parameters.filter((p) => p.kind === 'segment')) {
      const segment = SEGMENTS[parameter.key];
      if (!segment)
        throw new Error(
          `template "${template.id}" needs a segment for "${parameter.key}": add its definition to SEGMENTS`,
        );
      const created = await call<{ id: string } & Problem>('/api/v1/segments', {
        name: `${segment.name} (${template.id})`,
        definition: segment.definition,
      });
      expect({ status: created.status, detail: created.body.detail }).toEqual({
        status: 201,
        detail: undefined,
      });
      values[parameter.key] = created.body.id;
    }
    return values;
  }

  it.each(JOURNEY_TEMPLATES.map((t) => [t.id, t] as const))(
    '"%s" validates, saves and publishes as version 1',
    async (_id, template) => {
      const definition = instantiateTemplate(template, await parametersFor(template));

      const checked = await call<{ errors: unknown[] }>('/api/v1/journeys/validate', {
        definition,
      });
      expect(checked).toEqual({ status: 200, body: { errors: [] } });

      const created = await call<{ id: string; status: string } & Problem>('/api/v1/journeys', {
        name: template.title,
        definition,
      });
      expect({ status: created.status, detail: created.body.detail }).toEqual({
        status: 201,
        detail: undefined,
      });
      expect(created.body.status).toBe('draft');

      const published = await call<{ version: number } & Problem>(
        `/api/v1/journeys/${encodeURIComponent(created.body.id)}/publish`,
        {},
      );
      expect({ status: published.status, body: published.body }).toEqual({
        status: 200,
        body: { version: 1 },
      });

      const journey = await call<{ status: string; publishedVersion: number }>(
        `/api/v1/journeys/${encodeURIComponent(created.body.id)}`,
      );
      expect(journey.body).toMatchObject({ status: 'published', publishedVersion: 1 });
    },
  );

  it('refuses to publish a template whose segment does not exist in the workspace, naming the trigger', async () => {
    const template = JOURNEY_TEMPLATES.find((t) => t.id === 'streaming-win-back')!;
    const created = await call<{ id: string }>('/api/v1/journeys', {
      name: 'Win-back, no segment',
      definition: instantiateTemplate(template, { lapsedSegmentId: 'never-created' }),
    });
    const published = await call<Problem>(
      `/api/v1/journeys/${encodeURIComponent(created.body.id)}/publish`,
      {},
    );
    expect(published.status).toBe(422);
    expect(published.body.errors).toEqual([
      expect.objectContaining({
        path: 'nodes[0].trigger.segmentId',
        message: expect.stringContaining('segment "never-created", which does not exist'),
      }),
    ]);
  });

  describe('message content renders with the send-time Liquid engines', () => {
    type Rendered = { rendered: Record<string, string> } & Problem;
    const contentOf = (template: JourneyTemplate) => {
      const placeholders = Object.fromEntries(
        template.parameters.filter((p) => p.default === undefined).map((p) => [p.key, 'segment']),
      );
      return instantiateTemplate(template, placeholders).nodes.flatMap((node) =>
        node.kind === 'action' ? [{ node, config: node.config as Record<string, string> }] : [],
      );
    };
    const preview = async (
      node: { id: string; action: { type: string } },
      config: Record<string, string>,
      contact: typeof ADA | typeof STRANGER,
    ) => {
      const template =
        node.action.type === 'email'
          ? { name: node.id, channel: 'email', subject: config.subject, html: config.html }
          : { name: node.id, channel: 'inApp', title: config.title, body: config.body };
      const answer = await call<Rendered>('/api/v1/templates/preview', {
        template,
        sampleContact: contact,
      });
      expect({ node: node.id, status: answer.status, detail: answer.body.detail }).toEqual({
        node: node.id,
        status: 200,
        detail: undefined,
      });
      return answer.body.rendered;
    };

    it.each(JOURNEY_TEMPLATES.map((t) => [t.id, t] as const))(
      '"%s" greets by first name, or "there" when it is unknown',
      async (_id, template) => {
        for (const { node, config } of contentOf(template)) {
          if (node.kind !== 'action' || node.action.type !== 'email') continue;
          const known = await preview(node, config, ADA);
          const unknown = await preview(node, config, STRANGER);
          expect(known.html).toContain('Hi Ada,');
          expect(unknown.html).toContain('Hi there,');
          // Nothing of the Liquid source reaches the reader.
          for (const text of [known.subject, known.html, unknown.subject, unknown.html])
            expect(text).not.toMatch(/\{\{|\{%/);
        }
      },
    );

    it('the win-back recommendations name the last title watched and three picks from the profile', async () => {
      const winBack = contentOf(JOURNEY_TEMPLATES.find((t) => t.id === 'streaming-win-back')!);
      const recommend = winBack.find((c) => c.node.id === 'recommend')!;
      const forAda = await preview(recommend.node as never, recommend.config, ADA);
      expect(forAda.subject).toBe('Picked for you, Ada: more like your last binge');
      expect(forAda.html).toContain('Loved <strong>Dune: Part Two</strong>?');
      expect(forAda.html).toContain('<li>Arrival</li><li>Contact</li><li>Interstellar</li></ul>');
      expect(forAda.html).not.toContain('Solaris');
      const forStranger = await preview(recommend.node as never, recommend.config, STRANGER);
      expect(forStranger.subject).toBe('Picked for you: more like your last binge');
      expect(forStranger.html).toContain('We picked a few titles we think you will love');
      expect(forStranger.html).toContain('<li>New this week, chosen by our editors</li>');
    });

    it('the feature tip and the reorder reminder read the profile where they say so', async () => {
      const tip = contentOf(JOURNEY_TEMPLATES.find((t) => t.id === 'saas-feature-adoption')!).find(
        (c) => c.node.id === 'in-app-tip',
      )!;
      expect((await preview(tip.node as never, tip.config, ADA)).title).toBe(
        'Have you tried Reports yet, Ada?',
      );
      const reminder = contentOf(JOURNEY_TEMPLATES.find((t) => t.id === 'reorder-reminder')!).find(
        (c) => c.node.id === 'reminder',
      )!;
      expect((await preview(reminder.node as never, reminder.config, ADA)).html).toContain(
        'You usually reorder every 30 days',
      );
      expect((await preview(reminder.node as never, reminder.config, STRANGER)).html).toContain(
        'You may be running low soon.',
      );
    });
  });
});
