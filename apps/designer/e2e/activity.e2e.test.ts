import { createUser } from '@cairn/db';
import { eventually, screenshot, signInAsUser, useDesigner } from './harness.js';

let segmentId: string;

const designer = useDesigner({
  signIn: false,
  seed: async (stack) => {
    const workspaceId = stack.workspace.workspace._id;
    await createUser(stack.db.connection, workspaceId, {
      email: 'ana@example.com',
      name: 'Ana Editor',
      role: 'editor',
      password: 'ana-editor-password',
    });
    await createUser(stack.db.connection, workspaceId, {
      email: 'vic@example.com',
      name: 'Vic Viewer',
      role: 'viewer',
      password: 'vic-viewer-password',
    });
    const created = await stack.admin<{ id: string }>('/api/v1/segments', {
      body: {
        name: 'Pro plan',
        definition: {
          type: 'all',
          conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }],
        },
      },
    });
    segmentId = created.id;
  },
});

describe('users, roles and the activity log in the designer', () => {
  it('signs in an editor with email and password, saves a segment, and shows the change on the Activity page', async () => {
    const page = designer.page;
    await signInAsUser(page, designer.stack, 'ana@example.com', 'ana-editor-password');
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('Ana Editor');
    expect(await page.getByTestId('signed-in-role').textContent()).toBe('editor');

    await page.goto(`${designer.stack.url}/#/segments/${segmentId}`);
    const name = page.getByTestId('segment-name');
    await eventually(
      () => name.inputValue(),
      (v) => expect(v).toBe('Pro plan'),
    );
    await name.fill('Pro plan customers');
    await page.getByTestId('segment-save').click();
    await eventually(
      () => designer.stack.admin<{ name: string }>(`/api/v1/segments/${segmentId}`),
      (s) => expect(s.name).toBe('Pro plan customers'),
    );

    await page.getByTestId('segment-activity').click();
    const entries = page.getByTestId('activity-entry');
    await eventually(
      () => entries.count(),
      (n) => expect(n).toBe(2),
    );
    const newest = entries.first();
    expect(await newest.getAttribute('data-action')).toBe('segment.updated');
    expect(await newest.getByTestId('activity-actor-cell').textContent()).toBe(
      'Ana Editor (ana@example.com)',
    );
    await newest.getByTestId('activity-expand').click();
    const changes = await page.getByTestId('activity-changes').textContent();
    expect(changes).toContain('name');
    expect(changes).toContain('Pro plan');
    expect(changes).toContain('Pro plan customers');
    // The older entry was the admin key creating the segment.
    expect(await entries.nth(1).getByTestId('activity-actor-cell').textContent()).toMatch(
      /^API key /,
    );
    await screenshot(page, 'activity');

    // The whole log, filtered by resource type from the menu, still shows it.
    await page.goto(`${designer.stack.url}/#/activity`);
    await page.getByTestId('activity-type').selectOption('segment');
    await eventually(
      () => page.getByTestId('activity-entry').count(),
      (n) => expect(n).toBe(2),
    );
    expect(designer.pageErrors).toEqual([]);
  });

  it('shows a viewer the segment but not a Save button it could use', async () => {
    const page = designer.page;
    await signInAsUser(page, designer.stack, 'vic@example.com', 'vic-viewer-password');
    expect(await page.getByTestId('signed-in-role').textContent()).toBe('viewer');
    await page.goto(`${designer.stack.url}/#/segments/${segmentId}`);
    await eventually(
      () => page.getByTestId('segment-name').inputValue(),
      (v) => expect(v).toBe('Pro plan customers'),
    );
    expect(await page.getByTestId('segment-save').isDisabled()).toBe(true);
    expect(await page.getByTestId('segment-save').getAttribute('title')).toMatch(/editor role/);
    await page.goto(`${designer.stack.url}/#/segments`);
    await page.getByTestId(`segment-row-${segmentId}`).waitFor();
    expect(await page.getByTestId('new-segment').isDisabled()).toBe(true);
    await screenshot(page, 'viewer-segments');
    expect(designer.pageErrors).toEqual([]);
  });

  it('refuses a wrong password with a message and keeps the API key option', async () => {
    const page = designer.page;
    await page.getByTestId('sign-out').click();
    await page.getByTestId('signin-email').fill('ana@example.com');
    await page.getByTestId('signin-password').fill('wrong-password-here');
    await page.getByTestId('sign-in').click();
    await eventually(
      () => page.getByRole('alert').textContent(),
      (t) => expect(t).toMatch(/email or password is wrong/),
    );
    await screenshot(page, 'sign-in-refused');
    await page.getByTestId('use-api-key').click();
    await page.getByTestId('admin-key').waitFor();
    await screenshot(page, 'sign-in-api-key');
  });
});
