import { catalogFromManifests, latestManifests } from './catalog.js';
import type { ActionManifest } from '../api/client.js';

const email = (version: number): ActionManifest => ({
  type: 'email',
  version,
  title: 'Email',
  description: '',
  category: 'message',
  icon: 'mail',
  outputs: [
    { name: 'sent', label: 'Sent' },
    { name: 'failed', label: 'Could not send' },
  ],
  credentials: [],
  uiHints: {},
  configJsonSchema: {
    type: 'object',
    required: ['subject'],
    properties: { subject: { type: 'string', minLength: 1 } },
  },
});

describe('catalogFromManifests', () => {
  it('exposes outputs and checks config against the JSON Schema with a field path', () => {
    const catalog = catalogFromManifests([email(1)]);
    expect(catalog('email', 1)?.outputs).toEqual(['sent', 'failed']);
    expect(catalog('email', 2)).toBeUndefined();
    expect(catalog('email', 1)?.validateConfig({ subject: 'Hi' })).toEqual([]);
    const errors = catalog('email', 1)?.validateConfig({}) ?? [];
    expect(errors.map((e) => e.path)).toContain('subject');
  });

  it('offers only the newest version of each action in the palette', () => {
    expect(latestManifests([email(1), email(3), email(2)]).map((m) => m.version)).toEqual([3]);
  });
});
