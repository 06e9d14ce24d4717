import { LEGIBLE_ZOOM, legibleViewport } from './canvas-model.js';

const laptop = { width: 900, height: 700 };

describe('where the editor first looks at a journey', () => {
  it('shows a journey whole when it fits at a legible zoom', () => {
    expect(legibleViewport({ x: 0, y: 0, width: 600, height: 400 }, laptop, 300)).toBe('fit');
  });

  it('shows a long journey from its trigger at a legible zoom instead of shrinking it to fit', () => {
    // 60 steps one under another: some 9,000 px tall, the trigger at the top centre.
    const view = legibleViewport({ x: -120, y: 0, width: 240, height: 9_000 }, laptop, 0);
    expect(view).not.toBe('fit');
    const { x, y, zoom } = view as { x: number; y: number; zoom: number };
    expect(zoom).toBe(LEGIBLE_ZOOM);
    // The top of the journey sits under the canvas's top padding...
    expect(y).toBe(32);
    // ...and the trigger (x = 0 in flow units) in the middle of the area left of the minimap's margin.
    const middle = 64 + (laptop.width - 64 - 32) / 2;
    expect(x).toBeCloseTo(middle);
  });

  it('keeps a wide journey inside its own sides while centring on the trigger', () => {
    // Branches spread 4,000 px wide, the trigger at the far left: the view starts at the left edge.
    const view = legibleViewport({ x: 0, y: 0, width: 4_000, height: 3_000 }, laptop, 120);
    const { x, zoom } = view as { x: number; y: number; zoom: number };
    expect(zoom).toBe(LEGIBLE_ZOOM);
    expect(x).toBe(64);
  });
});
