import { z } from 'zod';

export const SEND_LIMIT_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
export type SendLimitUnit = (typeof SEND_LIMIT_UNITS)[number];

const UNIT_MS: Record<SendLimitUnit, number> = {
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

/** Longest window: a slot of a longer one would have to be kept for weeks. */
const MAX_WINDOW_MS = UNIT_MS.days;

/** At most `messages` sends of one channel per window of `per`, for the whole workspace. */
export const SendRateLimitSchema = z
  .strictObject({
    messages: z
      .number({ error: 'must be a number of messages, e.g. 100' })
      .int('must be a whole number')
      .min(1, 'must be ≥ 1 (to stop a channel, pause its journeys; to lift the limit, remove it)')
      .max(1_000_000, 'must be ≤ 1,000,000'),
    per: z.strictObject({
      amount: z
        .number({ error: 'must be a number, e.g. 1' })
        .int('must be a whole number')
        .min(1, 'must be ≥ 1'),
      unit: z.enum(SEND_LIMIT_UNITS, {
        error: `must be one of ${SEND_LIMIT_UNITS.join(', ')}`,
      }),
    }),
  })
  .refine((limit) => sendWindowMs(limit) <= MAX_WINDOW_MS, {
    path: ['per'],
    message: 'must be at most 1 day, e.g. { "amount": 1, "unit": "days" }',
  });
export type SendRateLimit = z.infer<typeof SendRateLimitSchema>;

/** Channel name (email, sms, push, inApp, or a custom message action's type) → its limit. */
const CHANNEL_NAME = 'must be a channel name such as "email", "sms", "push" or "inApp"';
export const SendRateLimitsSchema = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, CHANNEL_NAME),
  SendRateLimitSchema,
  { error: (issue) => (issue.code === 'invalid_key' ? CHANNEL_NAME : undefined) },
);
export type SendRateLimits = z.infer<typeof SendRateLimitsSchema>;

export function sendWindowMs(limit: { per: { amount: number; unit: SendLimitUnit } }): number {
  return limit.per.amount * UNIT_MS[limit.per.unit];
}
