// What the designer says at an address it cannot show: which section it is in, and what was not found.

/** The navigation's sections, by the first part of their address. */
export const SECTIONS = [
  { route: 'journeys', label: 'Journeys' },
  { route: 'segments', label: 'Segments' },
  { route: 'templates', label: 'Templates' },
  { route: 'contacts', label: 'Contacts' },
  { route: 'debugger', label: 'Debugger' },
  { route: 'activity', label: 'Activity' },
  { route: 'settings', label: 'Settings' },
] as const;
export type Section = (typeof SECTIONS)[number]['route'];

/** The section an address belongs to, however deep (`/segments/x/y` is in Segments); none for an unknown one. */
export function sectionOf(location: string): Section | undefined {
  const first = location.split(/[/?#]/).find((part) => part !== '') ?? 'journeys';
  return SECTIONS.find((s) => s.route === first)?.route;
}

export type NotFoundWords = {
  title: string;
  detail: string;
  back: { href: string; label: string };
};

const home = { href: '#/journeys', label: 'Go to the journeys' };
const backTo = (section: Section) => ({
  href: `#/${section}`,
  label: `Go to the ${SECTIONS.find((s) => s.route === section)!.label.toLowerCase()}`,
});

/** An address no page answers: named, with the way back to its section (or home). */
export function unknownAddress(location: string): NotFoundWords {
  const section = sectionOf(location);
  const where = section ? ` in ${SECTIONS.find((s) => s.route === section)!.label}` : '';
  return {
    title: 'Page not found',
    detail: `There is no page at “${location}”${where}.`,
    back: section ? backTo(section) : home,
  };
}

/** What each page shows, in words, and the section listing them. */
const THINGS = {
  journey: 'journeys',
  segment: 'segments',
  template: 'templates',
  contact: 'contacts',
} as const satisfies Record<string, Section>;
export type Thing = keyof typeof THINGS;

/** A journey, segment, template or contact the workspace does not have (deleted, or a mistyped address). */
export function missingThing(thing: Thing, id: string): NotFoundWords {
  return {
    title: `${thing.charAt(0).toUpperCase()}${thing.slice(1)} not found`,
    detail: `This workspace has no ${thing} “${id}”: it may have been deleted, or the address is mistyped.`,
    back: backTo(THINGS[thing]),
  };
}
