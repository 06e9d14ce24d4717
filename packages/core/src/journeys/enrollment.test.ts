import { decideEnrollment, entryWindowState, eventStartsJourney } from './enrollment.js';

const now = new Date('2025-03-10T00:00:00Z');
const finished = (at: string) => ({ finished: true, finishedAt: at });

describe('decideEnrollment', () => {
  it('lets a first-time contact in and never starts a second concurrent run', () => {
    expect(decideEnrollment({ reentry: { policy: 'afterExit' } }, { now })).toEqual({
      enroll: true,
    });
    expect(
      decideEnrollment(
        { reentry: { policy: 'afterExit' } },
        { now, previousRun: { finished: false } },
      ),
    ).toEqual({ enroll: false, reason: 'alreadyInJourney' });
  });

  it('applies never / afterExit / afterCooldown to a finished run', () => {
    const previousRun = finished('2025-03-05T00:00:00Z');
    expect(decideEnrollment({ reentry: { policy: 'never' } }, { now, previousRun })).toEqual({
      enroll: false,
      reason: 'reentryNever',
    });
    expect(decideEnrollment({ reentry: { policy: 'afterExit' } }, { now, previousRun })).toEqual({
      enroll: true,
    });
    expect(
      decideEnrollment(
        { reentry: { policy: 'afterCooldown', cooldown: { amount: 7, unit: 'days' } } },
        { now, previousRun },
      ),
    ).toEqual({
      enroll: false,
      reason: 'cooldown',
      retryAt: '2025-03-12T00:00:00.000Z',
    });
    expect(
      decideEnrollment(
        { reentry: { policy: 'afterCooldown', cooldown: { amount: 5, unit: 'days' } } },
        { now, previousRun },
      ),
    ).toEqual({ enroll: true });
  });

  it('lets no one in before the entry start date or from the end date on', () => {
    const window = {
      reentry: { policy: 'afterExit' as const },
      entryStartsAt: '2025-03-12T09:00:00Z',
      entryEndsAt: '2025-03-20T00:00:00Z',
    };
    expect(decideEnrollment(window, { now })).toEqual({
      enroll: false,
      reason: 'entryNotStarted',
      retryAt: '2025-03-12T09:00:00.000Z',
    });
    expect(decideEnrollment(window, { now: new Date('2025-03-12T09:00:00Z') })).toEqual({
      enroll: true,
    });
    expect(decideEnrollment(window, { now: new Date('2025-03-20T00:00:00Z') })).toEqual({
      enroll: false,
      reason: 'entryEnded',
    });
    expect(entryWindowState(window, now)).toBe('scheduled');
    expect(entryWindowState(window, new Date('2025-03-15T00:00:00Z'))).toBe('open');
    expect(entryWindowState(window, new Date('2025-04-01T00:00:00Z'))).toBe('ended');
    expect(entryWindowState({}, now)).toBe('open');
  });

  it('stops enrolling at the limit', () => {
    expect(
      decideEnrollment(
        { reentry: { policy: 'afterExit' }, enrollmentLimit: 100 },
        { now, enrolledCount: 100 },
      ),
    ).toEqual({ enroll: false, reason: 'limitReached' });
    expect(
      decideEnrollment(
        { reentry: { policy: 'afterExit' }, enrollmentLimit: 100 },
        { now, enrolledCount: 99 },
      ),
    ).toEqual({ enroll: true });
  });
});

describe('eventStartsJourney', () => {
  const now = Date.UTC(2026, 0, 10);
  const hours = (h: number) => h * 3_600_000;

  it('lets events up to a day old at receipt start a journey, and no older ones', () => {
    expect(eventStartsJourney({}, { timestamp: now - hours(24), receivedAt: now })).toBe(true);
    expect(eventStartsJourney({}, { timestamp: now - hours(25), receivedAt: now })).toBe(false);
  });

  it("takes the trigger's maxEventAge, and an import's choice over any age", () => {
    expect(
      eventStartsJourney(
        { maxEventAge: { amount: 2, unit: 'days' } },
        { timestamp: now - hours(25), receivedAt: now },
      ),
    ).toBe(true);
    expect(eventStartsJourney({}, { timestamp: now, receivedAt: now, startsJourneys: false })).toBe(
      false,
    );
    expect(
      eventStartsJourney(
        {},
        { timestamp: now - hours(1000), receivedAt: now, startsJourneys: true },
      ),
    ).toBe(true);
  });
});
