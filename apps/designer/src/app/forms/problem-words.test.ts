import { validateJourney } from '@cairn/core';
import type { JourneyDefinition, JourneyNode } from '@cairn/core';
import type { ActionManifest } from '../../api/client.js';
import { winBackJourney } from '../../graph/fixtures.js';
import { catalogFromManifests } from '../catalog.js';
import { describeProblem } from './problem-words.js';

const catalog = catalogFromManifests([
  {
    type: 'email',
    version: 1,
    title: 'Send email',
    description: '',
    category: 'message',
    icon: 'mail',
    outputs: [
      { name: 'sent', label: 'Sent' },
      { name: 'bounced', label: 'Skipped (unsubscribed or no address)' },
    ],
    credentials: [],
    // email@1 draws its content with MessageStepForm, whose field words the problems use too.
    uiHints: { widgets: { template: 'message-template' } },
    // Inline content or a saved template, as email@1 registers it: titles live inside the alternatives.
    configJsonSchema: {
      anyOf: [
        {
          type: 'object',
          required: ['subject', 'html'],
          properties: {
            subject: { type: 'string', minLength: 1, title: 'Subject' },
            html: { type: 'string', minLength: 1, title: 'HTML body' },
          },
        },
        { type: 'object', required: ['template'], properties: { template: { type: 'object' } } },
      ],
    },
  } as unknown as ActionManifest,
  {
    type: 'sms',
    version: 1,
    title: 'Send SMS',
    description: '',
    category: 'message',
    outputs: [{ name: 'next' }],
    credentials: [],
    uiHints: {},
    configJsonSchema: {
      anyOf: [
        {
          type: 'object',
          required: ['body'],
          properties: { body: { type: 'string', minLength: 1, title: 'Message text' } },
        },
      ],
    },
  } as unknown as ActionManifest,
]);

function edit(change: (def: JourneyDefinition) => void): JourneyDefinition {
  const def = winBackJourney();
  change(def);
  return def;
}
const node = (def: JourneyDefinition, id: string) =>
  def.nodes.find((n) => n.id === id) as JourneyNode & Record<string, unknown>;
const worded = (def: JourneyDefinition, segmentExists?: (id: string) => boolean) =>
  validateJourney(def, { catalog, ...(segmentExists ? { segmentExists } : {}) }).map((p) =>
    describeProblem(p, def, catalog),
  );

describe('describeProblem', () => {
  it('names an email step by its label and says which field to add, keeping the path', () => {
    const def = edit((d) => {
      node(d, 'mail')['label'] = 'Win-back';
      node(d, 'mail')['config'] = { html: '' };
    });
    expect(worded(def).slice(0, 2)).toEqual([
      {
        text: "Send email step 'Win-back': add a subject",
        path: 'nodes[2].config.subject',
        nodeId: 'mail',
      },
      {
        text: "Send email step 'Win-back': add a body",
        path: 'nodes[2].config.html',
        nodeId: 'mail',
      },
    ]);
  });

  it('asks to choose a segment or an event the step has not been given', () => {
    const def = edit((d) => {
      (node(d, 't')['trigger'] as { segmentId: string }).segmentId = '';
      node(d, 'w')['label'] = 'Did they buy?';
      (node(d, 'w')['for'] as { event: string }).event = '';
    });
    expect(worded(def).map((p) => p.text)).toEqual([
      'The trigger: choose a segment',
      "Wait for step 'Did they buy?': choose an event",
    ]);
  });

  it('names an unconnected output by the label the card shows', () => {
    const def = edit((d) => {
      d.edges = d.edges.filter((e) => e.id !== 'e3');
      d.edges.push({ id: 'e9', source: 'mail', sourceHandle: 'bounced', target: 'w' });
    });
    expect(worded(def).map((p) => p.text)).toContain(
      "Send email step 'Win-back #1': connect its “Sent” output to a next step or an Exit",
    );
  });

  it('says plainly that a step cannot be reached and that a segment is gone', () => {
    const def = edit((d) => {
      d.edges = d.edges.filter((e) => e.id !== 'e5');
      d.edges.push({ id: 'e9', source: 'w', sourceHandle: 'timeout', target: 'x' });
      d.edges = d.edges.filter((e) => !['e6', 'e7'].includes(e.id));
      d.nodes = d.nodes.filter((n) => n.id !== 'split');
      d.nodes.push({ id: 'lost', kind: 'exit', label: 'Orphan', position: { x: 0, y: 0 } });
    });
    const texts = worded(def, (id) => id !== 'lapsed').map((p) => p.text);
    expect(texts).toContain(
      'The trigger: choose another segment: the one it used (“lapsed”) no longer exists',
    );
    expect(texts).toContain(
      "Exit step 'Orphan': nothing leads to this step: connect an earlier step to it, or delete it",
    );
  });

  it('words journey settings and journey-wide problems without a step', () => {
    const ends = describeProblem(
      {
        path: 'settings.entryEndsAt',
        message:
          'settings.entryEndsAt: must be after settings.entryStartsAt (2026-01-02) — move the end date later or the start date earlier',
      },
      winBackJourney(),
      catalog,
    );
    expect(ends.text).toBe(
      'Journey settings: the entry end date must be after entry start date (2026-01-02): move the end date later or the start date earlier',
    );
    const noTrigger = worded(edit((d) => (d.nodes = d.nodes.filter((n) => n.id !== 't'))));
    expect(noTrigger[0]?.text).toMatch(/^This journey has no trigger: add one Trigger node/);
  });

  it("names another action's field by the title its manifest gives it", () => {
    const def = edit((d) => {
      d.nodes.push({
        id: 'text',
        kind: 'action',
        label: 'Nudge',
        action: { type: 'sms', version: 1 },
        config: {},
        position: { x: 0, y: 0 },
      });
    });
    expect(worded(def).map((p) => p.text)).toContain("Send SMS step 'Nudge': add a message text");
  });
});
