import { JOURNEY_TEMPLATES } from '@cairn/core';
import type { JourneyTemplate } from '@cairn/core';
import {
  draftFromTemplate,
  initialValues,
  isRequired,
  missingParameters,
} from './journey-templates.js';

const byFrequency = JOURNEY_TEMPLATES.find(
  (t) => t.id === 'ecommerce-purchase-frequency',
) as JourneyTemplate;

describe('the "Start from a template" form', () => {
  it('opens with the defaults filled in and only the segment blank', () => {
    const values = initialValues(byFrequency);
    expect(values).toEqual({
      customersSegmentId: '',
      heavyBuyerOrders: '5',
      storeUrl: 'https://shop.example.com',
      incentiveCode: 'COMEBACK15',
    });
    expect(byFrequency.parameters.filter(isRequired).map((p) => p.key)).toEqual([
      'customersSegmentId',
    ]);
    expect(missingParameters(byFrequency, values)).toEqual(['Segment: customers to enrol']);
  });

  it('needs nothing more once a segment is chosen, and treats spaces as blank', () => {
    expect(
      missingParameters(byFrequency, {
        ...initialValues(byFrequency),
        customersSegmentId: 'buyers',
      }),
    ).toEqual([]);
    expect(
      missingParameters(byFrequency, { ...initialValues(byFrequency), customersSegmentId: '   ' }),
    ).toEqual(['Segment: customers to enrol']);
  });

  it('creates a draft named after the template that starts from the chosen segment', () => {
    const draft = draftFromTemplate(byFrequency, {
      ...initialValues(byFrequency),
      customersSegmentId: 'buyers',
      incentiveCode: 'SPRING20',
    });
    expect(draft.name).toBe('Customers by purchase frequency');
    const trigger = draft.definition.nodes.find((n) => n.id === 'trigger');
    expect(trigger?.kind === 'trigger' && trigger.trigger).toEqual({
      type: 'segmentEntered',
      segmentId: 'buyers',
    });
    expect(JSON.stringify(draft.definition)).toContain('SPRING20');
    expect(JSON.stringify(draft.definition)).not.toMatch(
      /\{\{(customersSegmentId|storeUrl|incentiveCode|heavyBuyerOrders)\}\}/,
    );
  });

  it('falls back to the default when an optional field is cleared, rather than writing an empty link', () => {
    const draft = draftFromTemplate(byFrequency, {
      ...initialValues(byFrequency),
      customersSegmentId: 'buyers',
      storeUrl: '  ',
    });
    expect(JSON.stringify(draft.definition)).toContain('https://shop.example.com');
  });

  it("passes on the template's own complaint about a value that does not fit", () => {
    expect(() =>
      draftFromTemplate(byFrequency, {
        ...initialValues(byFrequency),
        customersSegmentId: 'buyers',
        heavyBuyerOrders: 'lots',
      }),
    ).toThrow(/heavyBuyerOrders must be a whole number/);
  });
});
