import { describeAction, describeActor, formatValue, resourceHref } from './activity.js';

describe('activity wording', () => {
  it('reads actions as a marketer would say them', () => {
    expect(describeAction('journey.published')).toBe('published journey');
    expect(describeAction('apiKey.created')).toBe('created API key');
    expect(describeAction('journey.contactEnrolled')).toBe('enrolled a contact in journey');
  });

  it('names people by name and email, keys by id', () => {
    expect(describeActor({ type: 'user', id: 'ana@x.io', email: 'ana@x.io', name: 'Ana' })).toBe(
      'Ana (ana@x.io)',
    );
    expect(describeActor({ type: 'user', id: 'ana@x.io', email: 'ana@x.io' })).toBe('ana@x.io');
    expect(describeActor({ type: 'key', id: 'abc123' })).toBe('API key abc123');
  });

  it('links segments, journeys and contacts to their pages only', () => {
    expect(resourceHref({ type: 'segment', id: 'vip customers' })).toBe(
      '#/segments/vip%20customers',
    );
    expect(resourceHref({ type: 'credential', id: 'smtp' })).toBeUndefined();
  });

  it('shortens long values and shows added/removed as a dash', () => {
    expect(formatValue(null)).toBe('—');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue('x'.repeat(200), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
