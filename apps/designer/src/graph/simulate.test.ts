import { JOURNEY_TEMPLATES, instantiateTemplate } from '@cairn/core';
import type { ActionCatalog } from '@cairn/core';
import { dayAndTime } from '../app/pages/simulate/sim-words.js';
import { profileFor, simulate } from './simulate.js';

const catalog: ActionCatalog = (type) =>
  type === 'email'
    ? { outputs: ['sent', 'skipped'], validateConfig: () => [], category: 'message' }
    : undefined;
const start = new Date('2026-03-02T09:00:00Z');

function template(id: string) {
  const found = JOURNEY_TEMPLATES.find((t) => t.id === id);
  if (!found) throw new Error(`no template ${id}`);
  return found;
}

describe('simulate', () => {
  const winBack = instantiateTemplate(template('streaming-win-back'), {
    lapsedSegmentId: 'lapsed',
  });
  const person = { id: 'ada', traits: {}, segments: [], events: [] };

  it('walks the timeout path and lists both emails when the viewer never comes back', () => {
    const run = simulate(winBack, { person, startAt: start, days: 30, catalog });
    expect(run.path).toEqual(['trigger', 'recommend', 'wait-watch', 'nudge', 'exit']);
    expect(run.messages.map((m) => m.nodeId)).toEqual(['recommend', 'nudge']);
    expect(run.messages[1]!.at).toBe('2026-03-09T09:00:00.000Z');
    expect(run.pathEdges).toEqual([
      'e-trigger-next',
      'e-recommend-sent',
      'e-wait-watch-timeout',
      'e-nudge-sent',
    ]);
  });

  it('follows a scripted event to the "came back" exit and sends no nudge', () => {
    const run = simulate(winBack, {
      person: { ...person, events: [{ day: 3, event: 'Video Watched' }] },
      startAt: start,
      days: 30,
      catalog,
    });
    expect(run.path).toEqual(['trigger', 'recommend', 'wait-watch', 'exit-returned']);
    expect(run.messages.map((m) => m.nodeId)).toEqual(['recommend']);
    expect(
      run.timeline.some(
        (t) =>
          t.what === 'received "Video Watched"' &&
          dayAndTime(run.startAt, t.at, 'UTC') === 'Day 3, 09:00',
      ),
    ).toBe(true);
  });

  it('evaluates profile branches on the folded history of a described contact', () => {
    const byFrequency = instantiateTemplate(template('ecommerce-purchase-frequency'), {
      customersSegmentId: 'customers',
    });
    const orders = [-90, -60, -30, -20, -10].map((day) => ({
      day,
      event: 'Order Completed',
      properties: { revenue: 20 },
    }));
    const heavy = simulate(byFrequency, {
      person: { ...person, events: orders },
      startAt: start,
      days: 30,
      catalog,
    });
    const once = simulate(byFrequency, {
      person: { ...person, events: orders.slice(0, 1) },
      startAt: start,
      days: 30,
      catalog,
    });
    expect(heavy.timeline.find((t) => t.nodeId === 'by-frequency')?.output).toBe('heavy');
    expect(once.timeline.find((t) => t.nodeId === 'by-frequency')?.output).toBe('first-time');
    expect(profileFor({ ...person, events: orders }, start).purchases.orderCount).toBe(5);
  });
});
