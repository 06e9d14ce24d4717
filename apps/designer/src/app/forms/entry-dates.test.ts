import { describeEntry, fromLocalInput, toLocalInput } from './entry-dates.js';

describe('entry dates in the settings panel', () => {
  it('shows an instant in local time and reads it back as the same instant', () => {
    const iso = '2026-01-31T09:30:00.000Z';
    const local = toLocalInput(iso);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromLocalInput(local)).toBe(iso);
  });

  it('treats a cleared field as no date', () => {
    expect(fromLocalInput('')).toBeUndefined();
    expect(toLocalInput(undefined)).toBe('');
    expect(toLocalInput('not a date')).toBe('');
  });

  it('says what the list shows for each state', () => {
    const format = (iso: string) => iso.slice(0, 10);
    expect(describeEntry({ state: 'scheduled', startsAt: '2026-02-01T00:00:00Z' }, format)).toBe(
      'Entry opens 2026-02-01',
    );
    expect(describeEntry({ state: 'ended', endsAt: '2026-01-01T00:00:00Z' }, format)).toBe(
      'Entry closed 2026-01-01; contacts inside carry on',
    );
    expect(describeEntry({ state: 'open', endsAt: '2026-03-01T00:00:00Z' }, format)).toBe(
      'Entry closes 2026-03-01',
    );
  });
});
