import { encodeRunKey, journeyRunSlot, journeyWorkflowId } from '../src/journey-contract';

describe('journey workflow identity', () => {
  it('is one id per (workspace, journey, contact), and per key for keyed triggers', () => {
    expect(journeyWorkflowId('ws_1', 'j_1', 'ada')).toBe('journey:ws_1:j_1:ada');
    expect(journeyWorkflowId('ws_1', 'j_1', 'ada', 'order-7')).toBe('journey:ws_1:j_1:ada:order-7');
    expect(journeyWorkflowId('ws_1', 'j_1', 'ada', 'order-7')).not.toBe(
      journeyWorkflowId('ws_1', 'j_1', 'ada', 'order-8'),
    );
  });

  it('encodes keys so they cannot collide with the separators or break MongoDB field names', () => {
    expect(encodeRunKey('a:b.c$d')).not.toMatch(/[:.$]/);
    expect(journeyRunSlot('j_1', 'x.y')).toBe(`j_1:${encodeRunKey('x.y')}`);
    // Distinct keys stay distinct, including keys that look like an encoding themselves.
    const keys = ['a:b', 'a.b', 'a%3Ab', 'a b'];
    expect(new Set(keys.map(encodeRunKey)).size).toBe(keys.length);
  });
});
