import { normaliseSearchText, searchTokens } from './contact-directory';

describe('contact search tokens', () => {
  it('ignores case, accents and repeated spaces', () => {
    expect(normaliseSearchText('  José   DA Silva ')).toBe('jose da silva');
  });

  it('files the id, email, name, first and last name and the later words of the name', () => {
    expect(
      searchTokens('user-7', {
        email: 'Ada@Example.com',
        name: 'Ada King Lovelace',
        firstName: 'Ada',
        lastName: 'Lovelace',
        plan: 'pro',
      }),
    ).toEqual(['ada', 'ada king lovelace', 'ada@example.com', 'king', 'lovelace', 'user-7']);
  });

  it('files no anonymous id and no value that is not text', () => {
    expect(searchTokens('anon:1b2c', { email: 42, name: null })).toEqual([]);
  });
});
