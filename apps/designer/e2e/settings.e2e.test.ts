import { eventually, screenshot, signIn, useDesigner } from './harness.js';

const designer = useDesigner({ signIn: false });

type Key = { id: string; name: string; scope: string; lastUsedAt: string | null };

describe('the Settings page', () => {
  it('creates a write key, shows its secret once, and shows when it was last used', async () => {
    const page = designer.page;
    await signIn(page, designer.stack);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('keys-settings').waitFor();

    await page.getByTestId('key-name').fill('Checkout server');
    await page.getByTestId('key-scope').selectOption('write');
    await page.getByTestId('key-create').click();
    const secret = (await page.getByTestId('key-secret').textContent()) ?? '';
    expect(secret).toMatch(/^cwk_[A-Za-z0-9]{12}_/);
    const created = (await designer.stack.admin<{ keys: Key[] }>('/api/v1/keys')).keys.find(
      (k) => k.name === 'Checkout server',
    );
    expect(created).toMatchObject({ scope: 'write', lastUsedAt: null });
    const row = page.getByTestId(`key-row-${created!.id}`);
    await row.waitFor();
    expect(await page.getByTestId(`key-last-used-${created!.id}`).textContent()).toBe('never');
    await page.getByTestId('keys-settings').scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-key-created');

    // The secret is the one the API accepts, and it is not shown again.
    const sent = await fetch(`${designer.stack.url}/v1/track`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${secret}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userId: 'u1', event: 'Checkout Started', messageId: 'e2e-1' }),
    });
    expect(sent.status).toBe(200);
    await page.getByTestId('key-dismiss').click();
    expect(await page.getByTestId('key-secret').count()).toBe(0);
    await page.reload();
    await page.getByTestId(`key-row-${created!.id}`).waitFor();
    expect(await page.getByTestId('key-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    await eventually(
      async () => {
        await page.reload();
        await page.getByTestId(`key-row-${created!.id}`).waitFor();
        return page.getByTestId(`key-last-used-${created!.id}`).textContent();
      },
      (text) => expect(text).toBe('just now'),
    );

    // Revoked from the page: the API refuses the key from then on (within the verifier's 10 s cache).
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId(`key-revoke-${created!.id}`).click();
    await eventually(
      () => designer.stack.admin<{ keys: (Key & { revokedAt: string | null })[] }>('/api/v1/keys'),
      (answer) =>
        expect(answer.keys.find((k) => k.id === created!.id)?.revokedAt).toEqual(
          expect.any(String),
        ),
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('saves the workspace time zone and default sender', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/settings`);
    await page.getByTestId('workspace-settings').waitFor();
    await page.getByTestId('workspace-timezone').selectOption('Europe/Paris');
    await page.getByTestId('sender-name').fill('Acme Team');
    await page.getByTestId('sender-address').fill('team@acme.test');
    expect(await page.getByTestId('sender-preview').textContent()).toBe(
      'Acme Team <team@acme.test>',
    );
    await page.getByTestId('workspace-save').click();
    await page.getByTestId('workspace-saved').waitFor();
    const me = await designer.stack.admin<{
      workspace: { settings: { timezone: string; sender: { name: string; address: string } } };
    }>('/api/v1/me');
    expect(me.workspace.settings).toMatchObject({
      timezone: 'Europe/Paris',
      sender: { name: 'Acme Team', address: 'team@acme.test' },
    });
    await page.getByTestId('workspace-settings').scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-workspace');
    expect(designer.pageErrors).toEqual([]);
  });

  it('invites a user, changes their role and removes them', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/settings`);
    await page.getByTestId('users-settings').waitFor();
    await page.getByTestId('invite-email').fill('ana@acme.test');
    await page.getByTestId('invite-role').selectOption('editor');
    await page.getByTestId('invite-user').click();
    expect(await page.getByTestId('user-invited').textContent()).toMatch(
      /ana@acme\.test.*shown once/,
    );
    await page.getByTestId('user-role-ana@acme.test').selectOption('publisher');
    type Users = { users: { email: string; role: string }[] };
    await eventually(
      () => designer.stack.admin<Users>('/api/v1/users'),
      (answer) =>
        expect(answer.users).toMatchObject([{ email: 'ana@acme.test', role: 'publisher' }]),
    );
    await page.getByTestId('users-settings').scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-users');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('user-remove-ana@acme.test').click();
    await eventually(
      () => designer.stack.admin<Users>('/api/v1/users'),
      (answer) => expect(answer.users).toEqual([]),
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('offers a new SMTP server as the sender at once, and shows a renamed workspace in the navigation', async () => {
    const page = designer.page;
    await page.goto(`${designer.stack.url}/#/settings`);
    await page.getByTestId('senders-settings').waitFor();
    await page.getByTestId('smtp-name').fill('smtp-main');
    await page.getByTestId('smtp-host').fill('smtp.acme.test');
    await page.getByTestId('smtp-port').fill('587');
    await page.getByTestId('smtp-add').click();
    await page.getByTestId('credential-smtp-main').waitFor();
    // The workspace section above reads the same cached list: no reload needed to pick the new server.
    await eventually(
      () => page.getByTestId('sender-credential').locator('option').allTextContents(),
      (options) => expect(options).toContain('smtp-main'),
    );
    await page.getByTestId('sender-credential').selectOption('smtp-main');
    await page.getByTestId('workspace-name').fill('Acme Outdoors');
    await page.getByTestId('workspace-save').click();
    await page.getByTestId('workspace-saved').waitFor();
    expect(await page.getByTestId('nav-workspace').textContent()).toBe('Acme Outdoors');
    const me = await designer.stack.admin<{
      workspace: { name: string; settings: { sender: { credential?: string } } };
    }>('/api/v1/me');
    expect(me.workspace).toMatchObject({
      name: 'Acme Outdoors',
      settings: { sender: { credential: 'smtp-main' } },
    });
    await screenshot(page, 'settings-workspace-renamed');
    expect(designer.pageErrors).toEqual([]);
  });
});
