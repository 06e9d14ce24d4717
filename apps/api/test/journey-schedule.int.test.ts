// Entry start and end dates, seen as a user sees them: over HTTP, with real ingestion, the real dispatcher
// and real journey workflows.
import { startApi, type RunningApi } from './harness';
import {
  eventually,
  journeyWorkspace,
  startJourneyWorker,
  waitForGoThenMark,
} from './journey-worker';

type Run = { journeyId: string; status: string; nodeId?: string };
type ContactDetail = { traits: Record<string, unknown>; journeys: Run[] };
type Summary = {
  id: string;
  status: string;
  entry?: { state: string; startsAt?: string; endsAt?: string };
};

/** Enters on "Signed Up", waits for "Go" (a day at most), then marks the contact. */
const signUpJourney = (name: string, dates: { entryStartsAt?: string; entryEndsAt?: string }) =>
  waitForGoThenMark({
    name,
    trigger: { type: 'event', event: 'Signed Up' },
    setTraits: { finished: name },
    settings: dates,
  });

describe('journey entry dates', () => {
  let api: RunningApi;
  let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;

  beforeAll(async () => {
    api = await startApi();
    journeyWorker = await startJourneyWorker(api);
  }, 180_000);

  afterAll(async () => {
    await journeyWorker?.stop();
    await api?.close();
  });

  async function workspace(name: string) {
    const ws = await journeyWorkspace<ContactDetail>(api, name);
    const track = (userId: string, event: string, messageId: string) =>
      ws.send('track', { userId, event, messageId });
    const publishNew = async (definition: { name: string }) => (await ws.publishNew(definition)).id;
    return { ...ws, track, publishNew };
  }

  it('enrols no one after the end date or before the start date, says why, and the list shows "ended" and "scheduled"', async () => {
    const ws = await workspace('Entry dates');
    const now = Date.now();
    const ended = await ws.publishNew(
      signUpJourney('Summer sale', {
        entryStartsAt: new Date(now - 7 * 86_400_000).toISOString(),
        entryEndsAt: new Date(now - 60_000).toISOString(),
      }),
    );
    const scheduled = await ws.publishNew(
      signUpJourney('Winter sale', { entryStartsAt: new Date(now + 86_400_000).toISOString() }),
    );
    const open = await ws.publishNew(signUpJourney('Always on', {}));

    await ws.track('ann', 'Signed Up', 'ann-signup');
    const report = await ws.dispatchAll();
    expect(report.enrolled).toBe(1);
    expect(report.skipped).toEqual({ entryEnded: 1, entryNotStarted: 1 });
    const runs = await eventually('ann in the open journey', async () => {
      const journeys = (await ws.contact('ann')).journeys;
      return journeys.length > 0 && journeys;
    });
    expect(runs.map((r) => r.journeyId)).toEqual([open]);

    // By hand too: refused, with the reason in words.
    const refusedEnded = await ws.call<{ detail: string; errors: { message: string }[] }>(
      `/journeys/${ended}/enroll`,
      { contactId: 'ann' },
    );
    expect(refusedEnded.status).toBe(409);
    expect(refusedEnded.body.detail).toContain('entry end date has passed');
    expect(refusedEnded.body.errors[0]?.message).toBe('entryEnded');
    const refusedEarly = await ws.call<{ detail: string }>(`/journeys/${scheduled}/enroll`, {
      contactId: 'ann',
    });
    expect(refusedEarly.status).toBe(409);
    expect(refusedEarly.body.detail).toContain('entry start date has not come yet');
    expect((await ws.contact('ann')).journeys.map((r) => r.journeyId)).toEqual([open]);

    const list = (await ws.call<Summary[]>('/journeys')).body;
    const byId = new Map(list.map((j) => [j.id, j]));
    expect(byId.get(ended)?.entry?.state).toBe('ended');
    expect(byId.get(scheduled)?.entry).toEqual({
      state: 'scheduled',
      startsAt: new Date(now + 86_400_000).toISOString(),
    });
    expect(byId.get(open)?.entry).toBeUndefined();
  }, 120_000);

  it('a run that entered before the end date carries on to its end after it', async () => {
    const ws = await workspace('Run outlives the end date');
    const endsAt = Date.now() + 8_000;
    const id = await ws.publishNew(
      signUpJourney('Flash sale', { entryEndsAt: new Date(endsAt).toISOString() }),
    );
    await ws.track('bo', 'Signed Up', 'bo-signup');
    expect((await ws.dispatchAll()).enrolled).toBe(1);
    await eventually('bo waiting for Go', async () =>
      (await ws.contact('bo')).journeys.some(
        (r) => r.journeyId === id && r.nodeId === 'wait-go' && r.status === 'active',
      ),
    );

    await new Promise((r) => setTimeout(r, Math.max(0, endsAt - Date.now() + 200)));
    await ws.track('cy', 'Signed Up', 'cy-signup');
    expect(await ws.dispatchAll()).toEqual({ enrolled: 0, skipped: { entryEnded: 1 } });
    expect((await ws.contact('cy')).journeys).toEqual([]);

    await ws.track('bo', 'Go', 'bo-go');
    await ws.dispatchAll();
    // The run that entered before the end date went on past it: the step after the wait ran, and it finished.
    const bo = await eventually('bo finished the journey', async () => {
      const detail = await ws.contact('bo');
      const run = detail.journeys.find((r) => r.journeyId === id);
      return run?.status === 'completed' && detail;
    });
    expect(bo.traits.finished).toBe('Flash sale');
  }, 120_000);

  it('refuses to publish an end date that is not after the start date, naming the field', async () => {
    const ws = await workspace('Bad entry dates');
    const created = await ws.call<{ id: string }>('/journeys', {
      name: 'Backwards',
      definition: signUpJourney('Backwards', {
        entryStartsAt: '2026-03-01T00:00:00Z',
        entryEndsAt: '2026-02-01T00:00:00Z',
      }),
    });
    expect(created.status).toBe(201);
    // A date that is no date is refused at save, naming the field.
    const unreadable = await ws.call<{ errors: { path: string }[] }>('/journeys', {
      name: 'Unreadable',
      definition: signUpJourney('Unreadable', { entryEndsAt: 'next week' }),
    });
    expect(unreadable.status).toBe(400);
    expect(unreadable.body.errors).toEqual([
      expect.objectContaining({ path: 'definition.settings.entryEndsAt' }),
    ]);
    const answer = await ws.call<{ errors: { path: string; message: string }[] }>(
      `/journeys/${created.body.id}/publish`,
      {},
    );
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual([
      expect.objectContaining({
        path: 'settings.entryEndsAt',
        message: expect.stringContaining('must be after settings.entryStartsAt'),
      }),
    ]);
  }, 60_000);
});
