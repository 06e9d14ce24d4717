// The send limits table of Settings: rows as typed, and the limits the API takes, with problems named by field.
import { SendRateLimitsSchema, type SendLimitUnit, type SendRateLimits } from '@cairn/core';

export type SendLimitRow = {
  channel: string;
  messages: string;
  amount: string;
  unit: SendLimitUnit;
};

export const CHANNELS = ['email', 'sms', 'push', 'inApp'] as const;

export const EMPTY_SEND_LIMIT_ROW: SendLimitRow = {
  channel: 'email',
  messages: '',
  amount: '1',
  unit: 'minutes',
};

export function rowsFromLimits(limits: SendRateLimits): SendLimitRow[] {
  return Object.entries(limits).map(([channel, limit]) => ({
    channel,
    messages: String(limit.messages),
    amount: String(limit.per.amount),
    unit: limit.per.unit,
  }));
}

/** The limits the rows describe (a row with no number is left out) and what is wrong with them, by API path. */
export function limitsFromRows(rows: SendLimitRow[]): {
  limits: SendRateLimits;
  problems: { path: string; message: string }[];
} {
  const problems: { path: string; message: string }[] = [];
  const raw: Record<string, unknown> = {};
  for (const row of rows) {
    if (row.messages.trim() === '') continue;
    if (row.channel in raw)
      problems.push({
        path: `limits.${row.channel}`,
        message: 'is set twice; keep one row per channel',
      });
    raw[row.channel] = {
      messages: Number(row.messages),
      per: { amount: Number(row.amount), unit: row.unit },
    };
  }
  const parsed = SendRateLimitsSchema.safeParse(raw);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      problems.push({ path: ['limits', ...issue.path].join('.'), message: issue.message });
  return { limits: parsed.success ? parsed.data : {}, problems };
}
