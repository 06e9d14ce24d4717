import { z } from 'zod';

/** A name that reads as a plain profile path: `affinities.genre.top`. */
const affinityName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,39}$/,
    'must be 1–40 letters, digits or _, starting with a letter, e.g. "genre"',
  );

export const AffinityDefinitionSchema = z.strictObject({
  name: affinityName,
  event: z
    .string()
    .trim()
    .min(1, 'must name the event to count, e.g. "Video Watched"')
    .max(200, 'must be at most 200 characters'),
  property: z
    .string()
    .trim()
    .min(1, 'must name a property of that event, e.g. "genre" or "show.genre"')
    .max(200, 'must be at most 200 characters'),
});

/** A workspace's affinity definitions: each name once, at most 20 (each one is counted on every fold). */
export const AffinityDefinitionsSchema = z
  .array(AffinityDefinitionSchema)
  .max(20, 'must list at most 20 affinities')
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((d, i) => {
      if (seen.has(d.name))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `"${d.name}" is used twice; give each affinity its own name`,
        });
      seen.add(d.name);
    });
  });
