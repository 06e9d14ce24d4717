import { winBackJourney } from './fixtures.js';
import { autoLayout } from './layout.js';
import {
  journeyContent,
  keptAgo,
  localDraftKey,
  localDraftStep,
  parseLocalDraft,
  restoreOffer,
} from './local-draft.js';

describe('journeyContent', () => {
  it('is the same after an auto-layout moved every step', () => {
    const def = winBackJourney();
    const laid = { ...def, nodes: autoLayout(def.nodes, def.edges) };
    expect(laid.nodes[1]!.position).not.toEqual(def.nodes[1]!.position);
    expect(journeyContent(laid)).toBe(journeyContent(def));
  });

  it('ignores the order of object keys but not a changed setting or step', () => {
    const def = winBackJourney();
    const { name, ...rest } = def;
    expect(journeyContent({ ...rest, name })).toBe(journeyContent(def));
    expect(journeyContent({ ...def, settings: { ...def.settings, holdoutPercent: 20 } })).not.toBe(
      journeyContent(def),
    );
    expect(journeyContent({ ...def, edges: def.edges.slice(1) })).not.toBe(journeyContent(def));
  });
});

describe('the journey kept on this computer', () => {
  const server = winBackJourney();
  const edited = { ...server, edges: server.edges.slice(0, -1) };

  it('is keyed by workspace and journey', () => {
    expect(localDraftKey('ws1', 'j1')).not.toBe(localDraftKey('ws2', 'j1'));
    expect(localDraftKey('ws1', 'j1')).not.toBe(localDraftKey('ws1', 'j2'));
  });

  it('is offered back when it holds edits the server does not have', () => {
    const kept = {
      savedAt: '2026-12-06T08:00:00Z',
      base: journeyContent(server),
      definition: edited,
    };
    expect(restoreOffer(kept, server)).toEqual({
      definition: edited,
      savedAt: '2026-12-06T08:00:00Z',
      serverChanged: false,
    });
  });

  it('says when the server draft was saved again after the edits began', () => {
    const older = { ...server, settings: { ...server.settings, holdoutPercent: 0 } };
    const kept = {
      savedAt: '2026-12-06T08:00:00Z',
      base: journeyContent(older),
      definition: edited,
    };
    expect(restoreOffer(kept, server)?.serverChanged).toBe(true);
  });

  it('is not offered when it only moved steps, or when nothing was kept', () => {
    const moved = { ...server, nodes: autoLayout(server.nodes, server.edges) };
    const kept = {
      savedAt: '2026-12-06T08:00:00Z',
      base: journeyContent(server),
      definition: moved,
    };
    expect(restoreOffer(kept, server)).toBeUndefined();
    expect(restoreOffer(undefined, server)).toBeUndefined();
  });

  it('reads back what was written and treats anything else as nothing', () => {
    const kept = { savedAt: '2026-12-06T08:00:00Z', base: 'x', definition: edited };
    expect(parseLocalDraft(JSON.stringify(kept))).toEqual(kept);
    expect(parseLocalDraft(null)).toBeUndefined();
    expect(parseLocalDraft('{not json')).toBeUndefined();
    expect(parseLocalDraft(JSON.stringify({ savedAt: 'x', base: 'y', definition: {} }))).toBe(
      undefined,
    );
  });

  it('is written while there are unsaved edits, removed once saved, and left alone while offered', () => {
    expect(localDraftStep({ unsaved: true, offerPending: false })).toBe('write');
    expect(localDraftStep({ unsaved: false, offerPending: false })).toBe('remove');
    expect(localDraftStep({ unsaved: false, offerPending: true })).toBe('leave');
  });

  it('tells its age in words', () => {
    const now = new Date('2026-12-06T10:00:00Z');
    expect(keptAgo('2026-12-06T09:59:50Z', now)).toBe('moments ago');
    expect(keptAgo('2026-12-06T09:59:00Z', now)).toBe('1 minute ago');
    expect(keptAgo('2026-12-06T07:00:00Z', now)).toBe('3 hours ago');
    expect(keptAgo('2026-12-01T10:00:00Z', now)).toBe('5 days ago');
  });
});
