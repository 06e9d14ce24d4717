import { can, needsRole, roleAtLeast } from './roles.js';

describe('designer roles', () => {
  it('orders viewer < editor < publisher < admin', () => {
    expect(roleAtLeast('editor', 'viewer')).toBe(true);
    expect(roleAtLeast('editor', 'publisher')).toBe(false);
    expect(roleAtLeast('admin', 'publisher')).toBe(true);
  });

  it('lets an editor draft but not go live, and only admins manage access', () => {
    expect([
      can('viewer', 'editDrafts'),
      can('editor', 'editDrafts'),
      can('editor', 'goLive'),
      can('publisher', 'goLive'),
    ]).toEqual([false, true, false, true]);
    expect([can('publisher', 'manageAccess'), can('admin', 'manageAccess')]).toEqual([false, true]);
    expect(can(undefined, 'editDrafts')).toBe(false);
    expect(needsRole('goLive')).toMatch(/publisher/);
  });
});
