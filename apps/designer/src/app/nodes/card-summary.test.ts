import type { JourneyNode } from '@cairn/core';
import { cardSummary, readableSubject, referencedKinds, type CardNames } from './card-summary.js';

const names: CardNames = {
  segment: (id) => ({ 'at-risk': 'At-risk buyers' })[id],
  journey: (id) => ({ 'j-onboarding': 'Onboarding' })[id],
  template: (id) => ({ tpl_1: 'Win-back #1' })[id],
};
const at = { x: 0, y: 0 };
const email = (config: Record<string, unknown>, label?: string): JourneyNode => ({
  id: 'mail',
  kind: 'action',
  action: { type: 'email', version: 1 },
  config,
  position: at,
  ...(label ? { label } : {}),
});

describe('cardSummary', () => {
  it('names the segment a trigger or a branch checks, not its id', () => {
    const trigger: JourneyNode = {
      id: 't',
      kind: 'trigger',
      trigger: { type: 'segmentEntered', segmentId: 'at-risk' },
      position: at,
    };
    expect(cardSummary(trigger, undefined, names)).toBe('Enters segment At-risk buyers');
    const branch: JourneyNode = {
      id: 'b',
      kind: 'branch',
      condition: { on: 'segment', segmentId: 'at-risk', member: false },
      position: at,
    };
    expect(cardSummary(branch, undefined, names)).toBe('Not in segment At-risk buyers');
  });

  it('keeps an id it cannot name (deleted, or the list not loaded yet)', () => {
    const trigger: JourneyNode = {
      id: 't',
      kind: 'trigger',
      trigger: { type: 'segmentEntered', segmentId: 'gone' },
      position: at,
    };
    expect(cardSummary(trigger, undefined, names)).toBe('Enters segment gone');
  });

  it('says what an email step sends: its subject, or its pinned template', () => {
    expect(
      cardSummary(email({ subject: 'We miss you', html: '<p>x</p>' }), 'Send email', names),
    ).toBe('“We miss you”');
    expect(cardSummary(email({ subject: 'We miss you' }, 'Day 3'), 'Send email', names)).toBe(
      'Day 3 · “We miss you”',
    );
    expect(cardSummary(email({ template: { id: 'tpl_1', version: 2 } }), 'Send email', names)).toBe(
      'Template Win-back #1 (v2)',
    );
    expect(cardSummary(email({}), 'Send email', names)).toBe('Send email');
  });

  it('reads a subject without its Liquid: tags gone, each output by the name it prints', () => {
    expect(
      readableSubject(
        'You’re in early{% if contact.traits.firstName %}, {{ contact.traits.firstName }}{% endif %}: new arrivals',
      ),
    ).toBe('You’re in early, [firstName]: new arrivals');
    expect(readableSubject('Hi {{ traits.first_name | default: "there" }}!')).toBe(
      'Hi [first_name]!',
    );
    expect(
      readableSubject("{{ contact.traits['plan'] }} renews {%- if x -%} soon{%- endif -%}"),
    ).toBe('[plan] renews soon');
    expect(readableSubject('No Liquid at all')).toBe('No Liquid at all');
  });

  it('names the journey a start-journey step starts', () => {
    const start: JourneyNode = {
      id: 's',
      kind: 'action',
      action: { type: 'startJourney', version: 1 },
      config: { journeyId: 'j-onboarding' },
      position: at,
    };
    expect(cardSummary(start, 'Start journey', names)).toBe('Start journey: Onboarding');
    expect(referencedKinds(start)).toEqual({ segment: false, journey: true, template: false });
  });
});
