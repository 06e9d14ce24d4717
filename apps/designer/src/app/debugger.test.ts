import {
  ago,
  bodyText,
  debuggerQuery,
  describeLag,
  propertiesText,
  refusalReasons,
  whoSent,
} from './debugger.js';

describe('event debugger wording', () => {
  it('polls with trimmed filters and leaves empty ones out', () => {
    expect(debuggerQuery({ user: '  ', event: '' })).toEqual({});
    expect(debuggerQuery({ user: ' u-1 ', event: 'Order ' })).toEqual({
      userId: 'u-1',
      event: 'Order',
    });
  });

  it('names the sender by user id, else as anonymous', () => {
    expect(whoSent({ userId: 'u-1', anonymousId: 'a-1' })).toBe('u-1');
    expect(whoSent({ anonymousId: 'a-1' })).toBe('anonymous a-1');
    expect(whoSent({})).toBe('—');
  });

  it('says how long ago a call arrived', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(ago('2026-01-01T12:00:00Z', now)).toBe('just now');
    expect(ago('2026-01-01T11:59:48Z', now)).toBe('12 s ago');
    expect(ago('2026-01-01T11:55:00Z', now)).toBe('5 min ago');
    expect(ago('2026-01-01T09:00:00Z', now)).toBe('3 h ago');
  });

  it('reads the fold lag in words, parked events apart', () => {
    expect(describeLag({ unfoldedEvents: 0, foldLagMs: 0, parkedEvents: 0 })).toBe(
      'Profiles are up to date',
    );
    expect(describeLag({ unfoldedEvents: 3, foldLagMs: 1_250, parkedEvents: 0 })).toBe(
      '3 events not in profiles yet, oldest 1.3 s',
    );
    expect(describeLag({ unfoldedEvents: 1, foldLagMs: 40, parkedEvents: 2 })).toBe(
      '1 event not in profiles yet, oldest 40 ms; 2 events parked, waiting for an admin to retry them',
    );
  });

  it('lists a refusal by field, or by its detail when no field is named', () => {
    expect(
      refusalReasons({
        title: 'Bad Request',
        errors: [{ path: 'timestamp', message: 'must be a date' }],
      }),
    ).toEqual([{ path: 'timestamp', message: 'must be a date' }]);
    expect(refusalReasons({ title: 'Content Too Large', detail: 'Split it.', errors: [] })).toEqual(
      [{ path: '', message: 'Split it.' }],
    );
  });

  it('shows bodies and properties pretty when whole, marked when cut', () => {
    expect(bodyText({ body: '{"a":1}', truncated: false })).toBe('{\n  "a": 1\n}');
    expect(bodyText({ body: '{"a":', truncated: true })).toBe('{"a":… (cut)');
    expect(bodyText({ body: '', truncated: false })).toBe('(empty or unreadable body)');
    expect(propertiesText({ properties: { plan: 'pro' } })).toBe('{\n  "plan": "pro"\n}');
    expect(propertiesText({ propertiesPreview: '{"big":"' })).toBe('{"big":"… (cut)');
  });
});
