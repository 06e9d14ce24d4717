import { CredentialError, credentialModel, readCredential, resealCredentials } from '@cairn/db';
import { startApi, type RunningApi } from './harness';

const SECRET = 'credentials-test-secret-0123456789abcdef';
const SMTP_PASSWORD = 'hunter2-very-secret-smtp-password';

describe('encrypted credentials on the real stack', () => {
  let api: RunningApi;
  let a: { adminKey: string; workspace: { _id: string } };
  let b: { adminKey: string; workspace: { _id: string } };
  beforeAll(async () => {
    api = await startApi({ env: { CAIRN_SECRET_KEY: SECRET } });
    a = await api.workspace('A');
    b = await api.workspace('B');
  });
  afterAll(async () => api.close());

  it('stores values encrypted, never returns them, and opens them with readCredential', async () => {
    const res = await api.admin(a.adminKey, '/api/v1/credentials', {
      body: { name: 'smtp-main', type: 'smtp', values: { user: 'mailer', pass: SMTP_PASSWORD } },
    });
    expect(res.status).toBe(201);
    const created = await res.text();
    expect(created).not.toContain(SMTP_PASSWORD);
    expect(JSON.parse(created)).toMatchObject({
      name: 'smtp-main',
      type: 'smtp',
      fields: ['pass', 'user'],
    });

    const list = await (await api.admin(a.adminKey, '/api/v1/credentials')).text();
    expect(list).not.toContain(SMTP_PASSWORD);
    expect(JSON.parse(list)).toMatchObject({ credentials: [{ name: 'smtp-main', type: 'smtp' }] });

    // Nothing readable at rest: neither value appears in the raw document.
    const raw = await api.db.connection
      .collection('credentials')
      .findOne({ _id: `${a.workspace._id}:smtp-main` as never });
    const stored = JSON.stringify(raw);
    expect(stored).not.toContain(SMTP_PASSWORD);
    expect(stored).not.toContain('mailer');
    expect(raw?.sealed).toMatchObject({ alg: 'aes-256-gcm' });

    expect(await readCredential(api.db.connection, SECRET, a.workspace._id, 'smtp-main')).toEqual({
      user: 'mailer',
      pass: SMTP_PASSWORD,
    });
    // A rotation: the new key first, the old one still opens existing records.
    expect(
      await readCredential(
        api.db.connection,
        ['a-brand-new-secret-key-0123456789abcdef', SECRET],
        a.workspace._id,
        'smtp-main',
      ),
    ).toEqual({ user: 'mailer', pass: SMTP_PASSWORD });
    await expect(
      readCredential(
        api.db.connection,
        'a-wrong-secret-key-0123456789abcdefgh',
        a.workspace._id,
        'smtp-main',
      ),
    ).rejects.toThrow(CredentialError);
  });

  it('rotates the secret: re-sealed records open with the new key alone', async () => {
    const next = 'the-next-secret-key-0123456789abcdefgh';
    expect(
      (
        await api.admin(a.adminKey, '/api/v1/credentials', {
          body: { name: 'rotating', type: 'bearerToken', values: { token: 't0ken' } },
        })
      ).status,
    ).toBe(201);
    await expect(
      readCredential(api.db.connection, next, a.workspace._id, 'rotating'),
    ).rejects.toThrow(/not among the configured keys/);
    const { resealed } = await resealCredentials(
      api.db.connection,
      [next, SECRET],
      a.workspace._id,
    );
    expect(resealed).toBeGreaterThanOrEqual(1);
    expect(await readCredential(api.db.connection, next, a.workspace._id, 'rotating')).toEqual({
      token: 't0ken',
    });
    expect(
      (await resealCredentials(api.db.connection, [next, SECRET], a.workspace._id)).resealed,
    ).toBe(0);
    // Put everything back under the API's key for the other tests.
    await resealCredentials(api.db.connection, [SECRET, next], a.workspace._id);
  });

  it('uses a fresh IV per record and detects a sealed value moved to another record', async () => {
    for (const name of ['token-one', 'token-two']) {
      expect(
        (
          await api.admin(a.adminKey, '/api/v1/credentials', {
            body: { name, type: 'bearerToken', values: { token: 'same-value' } },
          })
        ).status,
      ).toBe(201);
    }
    const Credentials = credentialModel(api.db.connection);
    const one = await Credentials.findById(`${a.workspace._id}:token-one`).lean();
    const two = await Credentials.findById(`${a.workspace._id}:token-two`).lean();
    expect(one?.sealed.iv).not.toBe(two?.sealed.iv);
    expect(one?.sealed.data).not.toBe(two?.sealed.data);
    await Credentials.updateOne(
      { _id: `${a.workspace._id}:token-two` },
      { $set: { sealed: one?.sealed } },
    );
    await expect(
      readCredential(api.db.connection, SECRET, a.workspace._id, 'token-two'),
    ).rejects.toThrow(/could not be decrypted/);
  });

  it('refuses a duplicate name, replaces with PUT, and validates with field paths', async () => {
    const body = { name: 'crm', type: 'bearerToken', values: { token: 'v1' } };
    expect((await api.admin(a.adminKey, '/api/v1/credentials', { body })).status).toBe(201);
    expect((await api.admin(a.adminKey, '/api/v1/credentials', { body })).status).toBe(409);
    expect(
      (
        await api.admin(a.adminKey, '/api/v1/credentials/crm', {
          method: 'PUT',
          body: { type: 'bearerToken', values: { token: 'v2' } },
        })
      ).status,
    ).toBe(200);
    expect(await readCredential(api.db.connection, SECRET, a.workspace._id, 'crm')).toEqual({
      token: 'v2',
    });

    const bad = await api.admin(a.adminKey, '/api/v1/credentials', {
      body: { name: 'has space', type: 'x', values: {} },
    });
    expect(bad.status).toBe(400);
    const paths = ((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'values']));
  });

  it("keeps workspaces apart: another workspace's key gets 404 and readCredential refuses", async () => {
    expect(
      (
        await api.admin(a.adminKey, '/api/v1/credentials', {
          body: { name: 'only-a', type: 'x', values: { k: 'v' } },
        })
      ).status,
    ).toBe(201);
    expect((await api.admin(b.adminKey, '/api/v1/credentials/only-a')).status).toBe(404);
    expect(
      (await api.admin(b.adminKey, '/api/v1/credentials/only-a', { method: 'DELETE' })).status,
    ).toBe(404);
    expect(
      (
        (await (await api.admin(b.adminKey, '/api/v1/credentials')).json()) as {
          credentials: unknown[];
        }
      ).credentials,
    ).toEqual([]);
    await expect(
      readCredential(api.db.connection, SECRET, b.workspace._id, 'only-a'),
    ).rejects.toThrow(/does not exist/);

    expect(
      (await api.admin(a.adminKey, '/api/v1/credentials/only-a', { method: 'DELETE' })).status,
    ).toBe(204);
    await expect(
      readCredential(api.db.connection, SECRET, a.workspace._id, 'only-a'),
    ).rejects.toThrow(/does not exist/);
  });
});

describe('credentials without CAIRN_SECRET_KEY', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi({ env: { CAIRN_SECRET_KEY: '' } });
  });
  afterAll(async () => api.close());

  it('answers 503 naming the missing setting instead of storing plaintext', async () => {
    const { adminKey } = await api.workspace();
    const res = await api.admin(adminKey, '/api/v1/credentials', {
      body: { name: 'x', type: 'x', values: { k: 'v' } },
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/CAIRN_SECRET_KEY/);
  });
});
