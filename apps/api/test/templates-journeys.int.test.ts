import { startApi, type RunningApi } from './harness';
import { eventually, startJourneyWorker } from './journey-worker';
import { startSmtpCapture } from './smtp-capture';

type Problem = { detail?: string; errors?: { path: string; message: string }[] };

/** A hand-enrolled journey whose one step sends `config` by email, both outputs to the exit. */
const emailJourney = (config: Record<string, unknown>) => ({
  name: 'Welcome',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
    { id: 'mail', kind: 'action', action: { type: 'email', version: 1 }, config },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'mail' },
    { id: 'e2', source: 'mail', sourceHandle: 'sent', target: 'done' },
    { id: 'e3', source: 'mail', sourceHandle: 'skipped', target: 'done' },
  ],
});

describe('journeys send saved templates, pinned to a version', () => {
  let api: RunningApi;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;
  let ws: Awaited<ReturnType<RunningApi['workspace']>>;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    api = await startApi({
      env: {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        CAIRN_EMAIL_FROM: 'Acme <hello@acme.test>',
        // email@1 signs its open and click links with it.
        CAIRN_SECRET_KEY: 'templates-test-secret-templates-test-secret',
      },
    });
    journeyWorker = await startJourneyWorker(api);
    ws = await api.workspace('Templates in journeys');
    for (const [userId, firstName] of [
      ['ada', 'Ada'],
      ['grace', 'Grace'],
    ]) {
      const res = await api.ingest(ws.writeKey, '/v1/identify', {
        userId,
        traits: { firstName, email: `${userId}@example.com` },
      });
      expect(res.status).toBe(200);
    }
  }, 180_000);

  afterAll(async () => {
    await journeyWorker?.stop();
    await api?.close();
    await smtp?.close();
  });

  const call = async <T>(path: string, body?: unknown, method?: string) => {
    const res = await api.admin(ws.adminKey, `/api/v1${path}`, {
      body,
      ...(method ? { method } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const mailTo = (address: string) => smtp.received.filter((m) => m.to === address);

  async function createTemplate() {
    const created = await call<{ id: string; version: number }>('/templates', {
      name: 'Welcome',
      channel: 'email',
      subject: 'V1 welcome, {{ contact.traits.firstName }}',
      html: '<p>Version one says hello to {{ contact.traits.firstName }}.</p>',
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  it('sends the rendered v1 content after v2 is saved, and still after the template is deleted', async () => {
    const templateId = await createTemplate();
    const journey = await call<{ id: string }>('/journeys', {
      name: 'Welcome (template v1)',
      definition: emailJourney({ template: { id: templateId, version: 1 } }),
    });
    expect(journey.status).toBe(201);
    const published = await call<Problem>(`/journeys/${journey.body.id}/publish`, {});
    expect({ status: published.status, detail: published.body.detail }).toEqual({
      status: 200,
      detail: undefined,
    });

    const v2 = await call<{ version: number }>(
      `/templates/${templateId}`,
      {
        name: 'Welcome',
        channel: 'email',
        subject: 'V2 welcome, {{ contact.traits.firstName }}',
        html: '<p>Version two, rewritten.</p>',
      },
      'PUT',
    );
    expect(v2.body.version).toBe(2);

    expect((await call(`/journeys/${journey.body.id}/enroll`, { contactId: 'ada' })).status).toBe(
      202,
    );
    const [mail] = await eventually('the email to ada', async () =>
      mailTo('ada@example.com').length ? mailTo('ada@example.com') : undefined,
    );
    expect(mail!.subject).toBe('V1 welcome, Ada');
    expect(mail!.body).toContain('<p>Version one says hello to Ada.</p>');
    expect(mail!.body).not.toContain('Version two');

    // The pinned version is frozen: deleting the template from the library does not stop the journey.
    expect((await call(`/templates/${templateId}`, undefined, 'DELETE')).status).toBe(204);
    expect((await call(`/journeys/${journey.body.id}/enroll`, { contactId: 'grace' })).status).toBe(
      202,
    );
    const [graceMail] = await eventually('the email to grace', async () =>
      mailTo('grace@example.com').length ? mailTo('grace@example.com') : undefined,
    );
    expect(graceMail!.subject).toBe('V1 welcome, Grace');
  }, 120_000);

  it('refuses to publish a step pinned to a template or version that does not exist, naming the field', async () => {
    const templateId = await createTemplate();
    const publishErrors = async (template: unknown) => {
      const journey = await call<{ id: string }>('/journeys', {
        name: 'Pinned to nothing',
        definition: emailJourney({ template }),
      });
      expect(journey.status).toBe(201);
      const published = await call<Problem>(`/journeys/${journey.body.id}/publish`, {});
      expect(published.status).toBe(422);
      return published.body.errors;
    };
    expect(await publishErrors({ id: 'tpl_missing', version: 1 })).toEqual([
      expect.objectContaining({
        path: 'nodes[1].config.template.id',
        message: expect.stringContaining('template "tpl_missing", which does not exist'),
      }),
    ]);
    expect(await publishErrors({ id: templateId, version: 4 })).toEqual([
      expect.objectContaining({
        path: 'nodes[1].config.template.version',
        message: expect.stringContaining('has versions 1 to 1'),
      }),
    ]);
  });

  it('names the field when a step has neither content nor a template, or both', async () => {
    const id = await createTemplate();
    const validate = async (config: Record<string, unknown>) =>
      (
        await call<{ errors: { path: string; message: string }[] }>('/journeys/validate', {
          definition: emailJourney(config),
        })
      ).body.errors.map((e) => e.path);
    expect(await validate({})).toEqual(['nodes[1].config.subject', 'nodes[1].config.html']);
    expect(await validate({ template: { id, version: 0 } })).toEqual([
      'nodes[1].config.template.version',
    ]);
    expect(
      await validate({ template: { id, version: 1 }, subject: 'Hi', html: '<p>Hi</p>' }),
    ).toEqual(['nodes[1].config.template']);
  });

  it('test-sends a saved version rendered for a contact through SMTP, marked [Test]', async () => {
    const templateId = await createTemplate();
    const sent = await call<{ sent: boolean } & Problem>('/templates/test-send', {
      templateId,
      version: 1,
      contactId: 'ada',
      to: 'Marketer@Acme.test',
    });
    expect({ status: sent.status, detail: sent.body.detail }).toEqual({
      status: 200,
      detail: undefined,
    });
    const [mail] = await eventually('the test email', async () =>
      mailTo('marketer@acme.test').length ? mailTo('marketer@acme.test') : undefined,
    );
    expect(mail!.subject).toBe('[Test] V1 welcome, Ada');
    expect(mail!.body).toContain('Version one says hello to Ada.');

    const noAddress = await call<Problem>('/templates/test-send', { templateId });
    expect(noAddress.status).toBe(400);
    expect(noAddress.body.errors?.map((e) => e.path)).toEqual(['to']);
  });
});
