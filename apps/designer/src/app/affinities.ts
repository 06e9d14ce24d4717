import type { AffinityDefinition } from '@cairn/core';

/** A row of the affinity form as typed, before it is a definition. */
export type AffinityRow = { name: string; event: string; property: string };

export const EMPTY_AFFINITY_ROW: AffinityRow = { name: '', event: '', property: '' };

/** The definitions to save (blank rows dropped) and what to fix first, by the API's own field paths. */
export function affinitiesFromRows(rows: AffinityRow[]): {
  affinities: AffinityDefinition[];
  problems: { path: string; message: string }[];
} {
  const affinities: AffinityDefinition[] = [];
  const problems: { path: string; message: string }[] = [];
  const names = new Set<string>();
  for (const row of rows) {
    const entry = { name: row.name.trim(), event: row.event.trim(), property: row.property.trim() };
    if (!entry.name && !entry.event && !entry.property) continue;
    const at = `affinities[${affinities.length}]`;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(entry.name))
      problems.push({
        path: `${at}.name`,
        message: 'a name of letters, digits or _, e.g. "genre" (read as affinities.genre.top)',
      });
    else if (names.has(entry.name))
      problems.push({ path: `${at}.name`, message: `"${entry.name}" is used twice` });
    if (!entry.event) problems.push({ path: `${at}.event`, message: 'name the event to count' });
    if (!entry.property)
      problems.push({ path: `${at}.property`, message: 'name the property of that event' });
    names.add(entry.name);
    affinities.push(entry);
  }
  return { affinities, problems };
}
