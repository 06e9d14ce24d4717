// The role ladder of the management API, mirrored so the designer can hide what a role cannot do
// (the API still enforces every check).
export const ROLES = ['viewer', 'editor', 'publisher', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** What the designer offers, by the least role the API asks for. */
export const ABILITIES = {
  editDrafts: 'editor', // segments, journey drafts, templates
  goLive: 'publisher', // publish, pause, resume, archive
  manageAccess: 'admin', // users, keys, credentials
} as const satisfies Record<string, Role>;
export type Ability = keyof typeof ABILITIES;

export function can(role: Role | undefined, ability: Ability): boolean {
  return role !== undefined && roleAtLeast(role, ABILITIES[ability]);
}

/** The tooltip on a disabled control: which role would allow it. */
export function needsRole(ability: Ability): string {
  return `Needs the ${ABILITIES[ability]} role or higher; ask a workspace admin.`;
}
