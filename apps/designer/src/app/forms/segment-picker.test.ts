import { segmentOptionLabel } from './SegmentPicker.js';

describe('segmentOptionLabel', () => {
  it('shows how many contacts a segment holds beside its name', () => {
    expect(segmentOptionLabel({ id: 'vip', name: 'VIP', memberCount: 1204 })).toBe(
      'VIP (1,204 members)',
    );
    expect(segmentOptionLabel({ id: 'one', name: 'Just Ada', memberCount: 1 })).toBe(
      'Just Ada (1 member)',
    );
  });

  it('shows the name alone when the count is unknown', () => {
    expect(segmentOptionLabel({ id: 'vip', name: 'VIP' })).toBe('VIP');
  });
});
