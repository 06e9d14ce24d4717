import { PREVIEW_UNSUBSCRIBE_URL, renderMessagePreview } from './message-preview.js';
import type { PreviewScope } from './message-preview.js';

const scope = (
  traits: Record<string, unknown>,
  profile: Record<string, unknown> = {},
): PreviewScope => ({
  contact: { id: 'preview-contact', traits, profile },
  journey: { id: 'welcome', version: 0, runId: 'preview', nodeId: 'mail' },
  unsubscribeUrl: PREVIEW_UNSUBSCRIBE_URL,
});

describe('renderMessagePreview', () => {
  it('renders subject and body for the previewed contact, as the worker would', () => {
    const preview = renderMessagePreview(
      {
        subject:
          'Welcome{% if contact.traits.firstName %}, {{ contact.traits.firstName }}{% endif %}',
        html: '<p>Hi {{ contact.traits.firstName | default: "there" }}</p>',
      },
      scope({ firstName: 'Ada' }),
    );
    expect(preview.fields).toEqual([
      { field: 'subject', text: 'Welcome, Ada' },
      { field: 'html', text: '<p>Hi Ada</p>' },
    ]);
    expect(preview.missing).toEqual([]);
  });

  it('names the variables the contact lacks, which render empty', () => {
    const preview = renderMessagePreview(
      {
        subject: 'Hello {{ contact.traits.first_name }}',
        html: '<p>{{ contact.traits.plan }}</p>',
      },
      scope({ firstName: 'Ada' }),
    );
    expect(preview.fields[0]).toEqual({ field: 'subject', text: 'Hello' });
    expect(preview.missing).toEqual(['contact.traits.first_name', 'contact.traits.plan']);
  });

  it('escapes trait values in the HTML body but not in the subject', () => {
    const preview = renderMessagePreview(
      { subject: '{{ contact.traits.company }}', html: '<p>{{ contact.traits.company }}</p>' },
      scope({ company: 'Smith & <Sons>' }),
    );
    expect(preview.fields.map((f) => f.text)).toEqual([
      'Smith & <Sons>',
      '<p>Smith &amp; &lt;Sons&gt;</p>',
    ]);
  });

  it('does not count variables the template assigns itself, nor .first/.size on a list the contact has', () => {
    const preview = renderMessagePreview(
      {
        html: '{% assign title = contact.traits.titles.first %}<b>{{ title }}</b> of {{ contact.traits.titles.size }}',
      },
      scope({ titles: ['Dune', 'Alien'] }),
    );
    expect(preview.fields[0]?.text).toBe('<b>Dune</b> of 2');
    expect(preview.missing).toEqual([]);
  });

  it('follows .first into a list of events, as the win-back template reads the last title watched', () => {
    const profile = {
      events: { 'Video Watched': { recent: [{ properties: { title: 'Dark Matter' } }] } },
    };
    const template =
      'Loved {{ contact.profile.events["Video Watched"].recent.first.properties.title }}? {{ contact.profile.events["Order Completed"].count }}';
    const withHistory = renderMessagePreview({ html: template }, scope({}, profile));
    expect(withHistory.fields[0]?.text).toBe('Loved Dark Matter? ');
    // Named up to the first part the contact lacks: it has no "Order Completed" events at all.
    expect(withHistory.missing).toEqual(['contact.profile.events["Order Completed"]']);
    expect(renderMessagePreview({ html: template }, scope({})).missing).toEqual([
      'contact.profile.events',
    ]);
  });

  it('names a missing list once, however many of its parts the template reads', () => {
    const preview = renderMessagePreview(
      {
        html: '{% if contact.traits.titles.size > 0 %}{{ contact.traits.titles.first }}{% endif %}{{ contact.traits.nickname }}',
      },
      scope({ nickname: null }),
    );
    expect(preview.missing).toEqual(['contact.traits.nickname', 'contact.traits.titles']);
  });

  it('reports a broken template on its field and keeps the raw text', () => {
    const preview = renderMessagePreview(
      { subject: 'Hi {{ contact.traits.firstName | nosuchfilter }}', html: '<p>ok</p>' },
      scope({ firstName: 'Ada' }),
    );
    expect(preview.fields[0]?.field).toBe('subject');
    expect(preview.fields[0]?.error).toMatch(/nosuchfilter/);
    expect(preview.fields[1]).toEqual({ field: 'html', text: '<p>ok</p>' });
  });
});
