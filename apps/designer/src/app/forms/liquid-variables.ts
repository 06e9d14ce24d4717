// Which Liquid variables an email step can use: the traits this workspace's contacts carry, and the profile.
import { PROFILE_PATHS } from '@cairn/core';

export type LiquidVariable = { liquid: string; says: string };

const KIND_WORDS: Record<string, string> = {
  number: 'a number',
  date: 'a date',
  string: 'text',
  list: 'a list',
};

// Per-event and per-product figures need a key chosen by the data; the flat ones read as they are.
const PROFILE_GROUPS = ['purchases.', 'email.', 'categories.topCategory', 'rfm.'];

/** `{{ contact.traits.firstName }}` for each trait identify calls have sent (the catalog's "Identify" entry). */
export function traitVariables(
  catalog: readonly { event: string; properties: { name: string; type: string }[] }[] | undefined,
): LiquidVariable[] {
  const identify = catalog?.find((e) => e.event === 'Identify');
  return (identify?.properties ?? [])
    .map((p) => ({
      // A name with spaces or dashes is read with brackets: contact.traits["first name"].
      liquid: /^[A-Za-z_]\w*$/.test(p.name)
        ? `{{ contact.traits.${p.name} }}`
        : `{{ contact.traits[${JSON.stringify(p.name)}] }}`,
      says: `trait ${p.name} (${p.type})`,
    }))
    .sort((a, b) => a.liquid.localeCompare(b.liquid));
}

/** The profile figures a message can quote, e.g. `{{ contact.profile.purchases.orderCount }}`. */
export function profileVariables(): LiquidVariable[] {
  return PROFILE_PATHS.filter(
    (p) => !p.path.includes('*') && PROFILE_GROUPS.some((g) => p.path.startsWith(g)),
  ).map((p) => ({
    liquid: `{{ contact.profile.${p.path} }}`,
    says: KIND_WORDS[p.kind] ?? p.kind,
  }));
}
