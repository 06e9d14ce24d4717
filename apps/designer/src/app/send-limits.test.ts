import { limitsFromRows, rowsFromLimits } from './send-limits.js';

describe('send limits rows', () => {
  it('turns rows into the limits the API takes and back', () => {
    const { limits, problems } = limitsFromRows([
      { channel: 'email', messages: '100', amount: '1', unit: 'minutes' },
      { channel: 'sms', messages: '', amount: '1', unit: 'minutes' },
    ]);
    expect(problems).toEqual([]);
    expect(limits).toEqual({ email: { messages: 100, per: { amount: 1, unit: 'minutes' } } });
    expect(rowsFromLimits(limits)).toEqual([
      { channel: 'email', messages: '100', amount: '1', unit: 'minutes' },
    ]);
  });

  it('names the field of a bad limit', () => {
    expect(
      limitsFromRows([{ channel: 'email', messages: '0', amount: '1', unit: 'minutes' }]).problems,
    ).toEqual([{ path: 'limits.email.messages', message: expect.stringContaining('≥ 1') }]);
    expect(
      limitsFromRows([{ channel: 'email', messages: '5', amount: '2', unit: 'days' }]).problems,
    ).toEqual([{ path: 'limits.email.per', message: expect.stringContaining('at most 1 day') }]);
    expect(
      limitsFromRows([
        { channel: 'email', messages: '5', amount: '1', unit: 'minutes' },
        { channel: 'email', messages: '6', amount: '1', unit: 'minutes' },
      ]).problems[0],
    ).toEqual({ path: 'limits.email', message: expect.stringContaining('twice') });
  });
});
