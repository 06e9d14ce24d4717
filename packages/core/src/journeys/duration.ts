// Zod-free helpers of the journey graph. They live apart from graph.ts (the zod schemas) so that
// the interpreter, which journey workflows load once per run, does not pull zod in (see runtime.ts).
import type { Duration } from '../segments/schema.js';

export type DurationUnit = Duration['unit'];

const UNIT_MS: Record<DurationUnit, number> = {
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 7 * 86_400_000,
};

/** Milliseconds in a duration; a `days` duration is 24 h of wall time (DST is not applied). */
export function durationToMs(duration: { amount: number; unit: DurationUnit }): number {
  return duration.amount * UNIT_MS[duration.unit];
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
