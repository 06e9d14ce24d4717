import type { JourneyFunnel } from '../../api/client.js';
import { exitRows, funnelBars, lastDays } from './funnel.js';

const funnel: JourneyFunnel = {
  journeyId: 'j',
  from: '2026-12-01',
  to: '2026-12-06',
  timeZone: 'UTC',
  entered: 8,
  heldOut: 0,
  converted: 3,
  steps: [
    { nodeId: 'start', kind: 'trigger', reached: 8 },
    { nodeId: 'wait', kind: 'delay', reached: 6 },
    { nodeId: 'mail', kind: 'action', label: 'Win-back email', reached: 3 },
    { nodeId: 'old-step', reached: 1, removed: true },
  ],
  exits: [
    { reason: 'exit', runs: 3 },
    { reason: 'segmentExit', runs: 1 },
  ],
  days: [],
};

describe('funnelBars', () => {
  it('names each step as the canvas does and reads its share of the entrants', () => {
    const bars = funnelBars(funnel, {
      name: 'j',
      settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
      nodes: [
        { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
        { id: 'wait', kind: 'delay', duration: { amount: 3, unit: 'days' } },
      ],
      edges: [],
    });
    expect(bars).toEqual([
      { nodeId: 'start', name: 'Started manually', reached: 8, share: '100%' },
      { nodeId: 'wait', name: 'Wait 3 days', reached: 6, share: '75%' },
      { nodeId: 'mail', name: 'Win-back email', reached: 3, share: '37.5%' },
      { nodeId: 'old-step', name: 'old-step (removed)', reached: 1, share: '12.5%' },
    ]);
  });

  it('falls back to the kind and id without a definition, and shows no share when nobody entered', () => {
    const bars = funnelBars({ ...funnel, entered: 0 });
    expect(bars[1]).toEqual({ nodeId: 'wait', name: 'Delay wait', reached: 6, share: '—' });
  });
  it('tells two steps that read alike apart by their ids', () => {
    const twoExits = {
      ...funnel,
      steps: [
        { nodeId: 'pro-done', kind: 'exit', reached: 3 },
        { nodeId: 'free-done', kind: 'exit', reached: 0 },
      ],
    };
    const definition = {
      name: 'j',
      settings: {
        reentry: { policy: 'never' as const },
        exitOnSegmentExit: false,
        holdoutPercent: 0,
      },
      nodes: [
        { id: 'pro-done', kind: 'exit' as const },
        { id: 'free-done', kind: 'exit' as const },
      ],
      edges: [],
    };
    expect(funnelBars(twoExits, definition).map((b) => b.name)).toEqual([
      'Leaves the journey (pro-done)',
      'Leaves the journey (free-done)',
    ]);
  });
});

describe('exitRows', () => {
  it('labels each reason in words with its share of the runs that ended', () => {
    expect(exitRows(funnel)).toEqual([
      { reason: 'exit', label: 'Reached an exit step', runs: 3, share: '75%' },
      { reason: 'segmentExit', label: 'Left the segment', runs: 1, share: '25%' },
    ]);
  });
});

describe('lastDays', () => {
  it('ends today (UTC) and counts today as one of the days', () => {
    expect(lastDays(new Date('2026-12-06T23:59:00Z'), 30)).toEqual({
      from: '2026-11-07',
      to: '2026-12-06',
    });
  });
});
