import { missingThing, sectionOf, unknownAddress } from './not-found.js';

describe('the section of an address', () => {
  it('is its first part, however deep the address goes', () => {
    expect(sectionOf('/journeys/unknown-id')).toBe('journeys');
    expect(sectionOf('/segments/x/y')).toBe('segments');
    expect(sectionOf('/activity/journey/j1')).toBe('activity');
    expect(sectionOf('/contacts?q=ada')).toBe('contacts');
    expect(sectionOf('/')).toBe('journeys');
  });

  it('is none for an address outside every section', () => {
    expect(sectionOf('/no-such-page')).toBeUndefined();
    expect(sectionOf('/journeysx/1')).toBeUndefined();
  });
});

describe('what a not-found page says', () => {
  it('names the address and its section, and leads back to that section', () => {
    expect(unknownAddress('/segments/x/y')).toEqual({
      title: 'Page not found',
      detail: 'There is no page at “/segments/x/y” in Segments.',
      back: { href: '#/segments', label: 'Go to the segments' },
    });
    expect(unknownAddress('/no-such-page')).toEqual({
      title: 'Page not found',
      detail: 'There is no page at “/no-such-page”.',
      back: { href: '#/journeys', label: 'Go to the journeys' },
    });
  });

  it('names the journey, segment, template or contact that does not exist', () => {
    expect(missingThing('journey', 'unknown-id')).toEqual({
      title: 'Journey not found',
      detail:
        'This workspace has no journey “unknown-id”: it may have been deleted, or the address is mistyped.',
      back: { href: '#/journeys', label: 'Go to the journeys' },
    });
    expect(missingThing('contact', 'ada').back).toEqual({
      href: '#/contacts',
      label: 'Go to the contacts',
    });
  });
});
