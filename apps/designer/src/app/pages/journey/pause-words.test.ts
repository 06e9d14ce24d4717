import { pauseWords } from './pause-words.js';

describe('what the pause question says', () => {
  it('counts the contacts inside and says what happens to them', () => {
    expect(pauseWords('Win-back', 1234)).toBe(
      '1,234 contacts are inside “Win-back”. Each stops before its next step and waits there until you resume; messages already sent stay sent. Nobody new enters while it is paused.',
    );
    expect(pauseWords('Win-back', 1)).toMatch(/^1 contact is inside “Win-back”\. Each stops/);
  });

  it('says nobody is inside when nobody is, and speaks generally while the count is unknown', () => {
    expect(pauseWords('Win-back', 0)).toBe(
      'Nobody is inside right now. Contacts who would enter are not enrolled while it is paused.',
    );
    expect(pauseWords('Win-back', undefined)).toBe(
      'Contacts already inside stop before their next step and wait there until you resume; messages already sent stay sent. Nobody new enters while it is paused.',
    );
  });
});
