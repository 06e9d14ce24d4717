import {
  EMPTY_SMTP_FORM,
  formatSender,
  lastUsedLabel,
  senderFromForm,
  smtpCredentialFromForm,
  sortKeys,
  timeZoneChoices,
} from './settings';

describe('senderFromForm', () => {
  it('trims and keeps only what was filled in', () => {
    expect(
      senderFromForm({ name: ' Acme ', address: ' hello@acme.test ', credential: '' }),
    ).toEqual({ sender: { name: 'Acme', address: 'hello@acme.test' }, problems: [] });
  });
  it('sends null (back to CAIRN_EMAIL_FROM) for a blank form', () => {
    expect(senderFromForm({ name: '', address: '', credential: '' })).toEqual({
      sender: null,
      problems: [],
    });
  });
  it('names the field when the address is missing or wrong', () => {
    expect(senderFromForm({ name: 'Acme', address: '', credential: '' }).problems[0]?.path).toBe(
      'sender.address',
    );
    expect(
      senderFromForm({ name: '', address: 'hello at acme', credential: '' }).problems[0]?.message,
    ).toMatch(/email address/);
  });
});

describe('formatSender', () => {
  it('reads as a From header', () => {
    expect(formatSender({ name: 'Acme', address: 'hello@acme.test' })).toBe(
      'Acme <hello@acme.test>',
    );
    expect(formatSender({ address: 'hello@acme.test' })).toBe('hello@acme.test');
    expect(formatSender(null)).toBe('');
  });
});

describe('smtpCredentialFromForm', () => {
  it('builds the values the worker reads', () => {
    expect(
      smtpCredentialFromForm({
        ...EMPTY_SMTP_FORM,
        name: 'smtp-main',
        host: ' smtp.acme.test ',
        port: '465',
        secure: true,
        user: 'mailer',
        pass: 's3cret',
      }),
    ).toEqual({
      values: {
        host: 'smtp.acme.test',
        port: '465',
        secure: 'true',
        user: 'mailer',
        pass: 's3cret',
      },
      problems: [],
    });
  });
  it('lists each wrong field', () => {
    const { problems } = smtpCredentialFromForm({
      ...EMPTY_SMTP_FORM,
      name: '1st',
      port: 'abc',
      pass: 'x',
    });
    expect(problems.map((p) => p.path)).toEqual(['name', 'host', 'port', 'user']);
  });
});

describe('lastUsedLabel', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  it('says never, minutes, hours, days, then the date', () => {
    expect(lastUsedLabel(null, now)).toBe('never');
    expect(lastUsedLabel('2026-12-06T11:59:40Z', now)).toBe('just now');
    expect(lastUsedLabel('2026-12-06T11:48:00Z', now)).toBe('12 min ago');
    expect(lastUsedLabel('2026-12-06T07:00:00Z', now)).toBe('5 h ago');
    expect(lastUsedLabel('2026-12-05T11:00:00Z', now)).toBe('1 day ago');
    expect(lastUsedLabel('2026-10-01T11:00:00Z', now)).toBe('2026-10-01');
  });
});

describe('sortKeys', () => {
  it('puts live keys first, newest first', () => {
    const key = (id: string, createdAt: string, revokedAt: string | null = null) => ({
      id,
      name: id,
      scope: 'write' as const,
      createdAt,
      revokedAt,
      lastUsedAt: null,
    });
    expect(
      sortKeys([
        key('old', '2026-01-01'),
        key('revoked', '2026-03-01', '2026-04-01'),
        key('new', '2026-02-01'),
      ]).map((k) => k.id),
    ).toEqual(['new', 'old', 'revoked']);
  });
});

describe('timeZoneChoices', () => {
  it('offers UTC and keeps the current zone', () => {
    const zones = timeZoneChoices('Mars/Olympus_Mons');
    expect(zones[0]).toBe('UTC');
    expect(zones).toContain('Mars/Olympus_Mons');
  });
});
