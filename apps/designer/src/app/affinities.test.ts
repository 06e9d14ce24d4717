import { affinitiesFromRows } from './affinities';

describe('affinitiesFromRows', () => {
  it('drops blank rows and trims the rest', () => {
    expect(
      affinitiesFromRows([
        { name: ' genre ', event: 'Video Watched', property: 'genre' },
        { name: '', event: '', property: '' },
      ]),
    ).toEqual({
      affinities: [{ name: 'genre', event: 'Video Watched', property: 'genre' }],
      problems: [],
    });
  });

  it('names the field to fix, as the API does', () => {
    const { problems } = affinitiesFromRows([
      { name: 'genre', event: 'Video Watched', property: 'genre' },
      { name: 'genre', event: '', property: 'x' },
      { name: 'top genre', event: 'Song Played', property: 'genre' },
    ]);
    expect(problems.map((p) => p.path)).toEqual([
      'affinities[1].name',
      'affinities[1].event',
      'affinities[2].name',
    ]);
  });
});
