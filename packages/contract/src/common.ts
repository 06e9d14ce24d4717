import { z } from 'zod';

/** An instant as the API writes it: `Date#toISOString()` (a Date in a handler becomes this on the wire). */
export const IsoDateTime = z.iso.datetime({ offset: true });

/** An instant as epoch milliseconds, how profiles and counters keep time. */
export const EpochMs = z.number();

/** One invalid field of a request: where it is and how to fix it. */
export const FieldErrorSchema = z.object({
  path: z.string().describe('The offending field, e.g. "definition.conditions[0].operator".'),
  message: z.string(),
});

/** RFC 9457 problem details, the body of every error the API answers. */
export const ProblemSchema = z.object({
  type: z.string().describe('Always "about:blank": the status and title say what happened.'),
  title: z.string().describe('The HTTP reason phrase, e.g. "Bad Request".'),
  status: z.number().int(),
  detail: z.string().optional().describe('What went wrong and how to fix it.'),
  instance: z
    .string()
    .optional()
    .describe('urn:request:<X-Request-Id>, to find the request in the logs.'),
  errors: z.array(FieldErrorSchema).optional().describe('One entry per invalid field.'),
});

/** A JSON object whose keys are the customer's own (traits, properties): any value. */
export const JsonObject = z.record(z.string(), z.unknown());

/** Page size of a list query: text in the query string, a whole number after parsing. */
export const limitQuery = (max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(1, 'must be ≥ 1')
    .max(max, `must be ≤ ${max}`)
    .optional();

export type Problem = z.output<typeof ProblemSchema>;
export type FieldError = z.output<typeof FieldErrorSchema>;
