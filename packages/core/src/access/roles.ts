/** What a person may do in a workspace, from least to most: each role can do everything the one before can. */
export const ROLES = ['viewer', 'editor', 'publisher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
