import { ActionRegistry, actionManifest, assertLosslessJsonSchema } from '@cairn/action-sdk';
import { runActionForTest, createFakeServices } from '@cairn/action-sdk/testing';
import builtinDefault, {
  builtinActionOptionsFromEnv,
  builtinActions,
  createBuiltinActions,
  createInAppMessageAction,
  createStartJourneyAction,
  createStopJourneyAction,
  createUpdateContactAction,
  signTrackingToken,
  verifyTrackingToken,
} from '../src/index.js';

const configured = createBuiltinActions({
  email: {
    smtp: { host: '127.0.0.1', port: 2525 },
    from: 'a@acme.test',
    trackingBaseUrl: 'https://t.acme.test',
    trackingSecret: 's',
  },
});

describe('built-in actions', () => {
  it.each(configured.map((d) => [`${d.type}@${d.version}`, d]))(
    '%s has a config schema that JSON Schema expresses exactly',
    (_key, def) => {
      expect(() => assertLosslessJsonSchema(def)).not.toThrow();
      // An object, or a choice of objects (email@1: written in the step, or a pinned template).
      const schema = actionManifest(def).configJsonSchema as {
        type?: string;
        anyOf?: { type?: string }[];
      };
      const shapes = schema.anyOf ?? [schema];
      expect(shapes.map((s) => s.type)).toEqual(shapes.map(() => 'object'));
    },
  );

  it('registers side by side under their pinned versions', () => {
    const registry = new ActionRegistry(configured);
    expect(registry.manifests().map((m) => `${m.type}@${m.version}`)).toEqual([
      'email@1',
      'inAppMessage@1',
      'startJourney@1',
      'stopJourney@1',
      'updateContact@1',
      'webhook@1',
    ]);
    expect(registry.catalog()('email', 1)?.outputs).toEqual(['sent', 'skipped']);
    expect(registry.catalog()('webhook', 1)?.outputs).toEqual(['ok', 'failed']);
  });

  it('loads as an action package (default export) without any configuration', () => {
    const registry = new ActionRegistry();
    registry.loadActionPackages(['@cairn/actions'], () => ({ default: builtinDefault }));
    expect(registry.definitions()).toHaveLength(builtinActions.length);
  });

  it('validates configs with field paths and fixes', () => {
    const registry = new ActionRegistry(configured);
    expect(registry.validateConfig('email', 1, { subject: '', html: '<p>x</p>' })).toEqual([
      { path: 'subject', message: 'must not be empty; write the subject line (Liquid allowed)' },
    ]);
    expect(registry.validateConfig('webhook', 1, { url: 'ftp://x', timeoutMs: 5 })).toEqual([
      { path: 'url', message: expect.stringContaining('must be an http:// or https:// URL') },
      { path: 'timeoutMs', message: 'must be ≥ 100 ms' },
    ]);
    expect(
      registry.validateConfig('inAppMessage', 1, {
        title: 'Hi',
        body: 'x',
        cta: { label: 'Go', url: 'javascript:alert(1)' },
      }),
    ).toEqual([
      { path: 'cta.url', message: 'must be an http(s) URL or an app path starting with /' },
    ]);
  });

  it('reads the same environment variables as @cairn/config', () => {
    const options = builtinActionOptionsFromEnv({
      SMTP_HOST: 'mail.acme.test',
      SMTP_PORT: '587',
      SMTP_USER: 'u',
      SMTP_PASS: 'p',
      CAIRN_PUBLIC_URL: 'https://cairn.acme.test',
      CAIRN_SECRET_KEY: 'k',
      CAIRN_WEBHOOK_ALLOW_HOSTS: 'crm.internal, 10.0.0.5',
    });
    expect(options.email.smtp).toEqual({
      host: 'mail.acme.test',
      port: 587,
      secure: false,
      auth: { user: 'u', pass: 'p' },
    });
    expect(options.email.trackingBaseUrl).toBe('https://cairn.acme.test');
    expect(options.webhook?.allowHosts).toEqual(['crm.internal', '10.0.0.5']);
  });
});

describe('updateContact@1', () => {
  it('sets Liquid-rendered traits, unsets traits and changes tags', async () => {
    const run = await runActionForTest(
      createUpdateContactAction(),
      {
        setTraits: { lifecycle: '{{ contact.traits.plan }}-churned', score: 3 },
        unsetTraits: ['trialEndsAt'],
        addTags: ['winback'],
        removeTags: ['trial'],
      },
      {
        contact: { id: 'c1', traits: { plan: 'pro', trialEndsAt: '2025-01-01', tags: ['trial'] } },
      },
    );
    expect(run.services.calls).toEqual([
      {
        method: 'updateContact',
        contactId: 'c1',
        update: {
          setTraits: { lifecycle: 'pro-churned', score: 3 },
          unsetTraits: ['trialEndsAt'],
          addTags: ['winback'],
          removeTags: ['trial'],
        },
      },
    ]);
    const state = run.services.contacts.get('c1');
    expect(state?.traits).toMatchObject({ lifecycle: 'pro-churned', score: 3 });
    expect(state?.traits).not.toHaveProperty('trialEndsAt');
    expect([...(state?.tags ?? [])]).toEqual(['winback']);
  });

  it('does nothing (and says so) when configured with nothing', async () => {
    const run = await runActionForTest(createUpdateContactAction(), {});
    expect(run.services.calls).toEqual([]);
    expect(run.logs[0]?.level).toBe('warn');
  });
});

describe('inAppMessage@1', () => {
  it('stores a rendered message keyed by the idempotency key', async () => {
    const run = await runActionForTest(
      createInAppMessageAction(),
      {
        title: 'Hi {{ contact.traits.firstName }}',
        body: 'Your {{ contact.traits.plan }} trial ends soon',
        cta: { label: 'Upgrade', url: '/billing' },
        expiresAfterDays: 7,
      },
      {
        contact: { id: 'c1', traits: { firstName: 'Ada', plan: 'Pro' } },
        idempotencyKey: 'k1',
        now: new Date('2025-03-01T00:00:00Z'),
      },
    );
    expect(run.output).toBe('next');
    expect(run.services.inAppMessages).toEqual([
      {
        contactId: 'c1',
        message: expect.objectContaining({
          messageId: 'k1',
          title: 'Hi Ada',
          body: 'Your Pro trial ends soon',
          cta: { label: 'Upgrade', url: '/billing' },
          createdAt: '2025-03-01T00:00:00.000Z',
          expiresAt: '2025-03-08T00:00:00.000Z',
        }),
      },
    ]);
  });
});

describe('startJourney@1 / stopJourney@1', () => {
  it('asks the services to start and stop journeys for this contact', async () => {
    const services = createFakeServices();
    await runActionForTest(
      createStartJourneyAction(),
      { journeyId: 'j-onboarding' },
      { contact: { id: 'c5' }, services },
    );
    await runActionForTest(
      createStopJourneyAction(),
      { journeyId: 'j-trial' },
      { contact: { id: 'c5' }, services },
    );
    expect(services.calls).toEqual([
      { method: 'startJourney', journeyId: 'j-onboarding', contactId: 'c5' },
      { method: 'stopJourney', journeyId: 'j-trial', contactId: 'c5' },
    ]);
  });

  it('refuses an empty journey id', async () => {
    await expect(runActionForTest(createStartJourneyAction(), { journeyId: '' })).rejects.toThrow(
      /journeyId: must name a journey id/,
    );
  });
});

describe('tracking tokens', () => {
  const payload = {
    contactId: 'c1',
    journeyId: 'j1',
    nodeId: 'n1',
    messageId: 'm1',
    url: 'https://acme.test/x',
  };

  it('round-trips and rejects tampering', () => {
    const token = signTrackingToken(payload, 'secret');
    expect(verifyTrackingToken(token, 'secret')).toEqual(payload);
    expect(verifyTrackingToken(token, 'other')).toBeUndefined();
    const [body, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...payload, url: 'https://evil.test' })).toString(
      'base64url',
    );
    expect(verifyTrackingToken(`${forged}.${mac}`, 'secret')).toBeUndefined();
    expect(verifyTrackingToken(body, 'secret')).toBeUndefined();
  });
});
