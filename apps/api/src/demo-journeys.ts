// The demo store's starter journeys: two of the library's e-commerce templates, filled in with the demo's
// own segments, saved as drafts so a newcomer opens a real journey in the designer, simulates it on a
// demo contact and publishes it when ready (nothing is sent before that).
import { instantiateTemplate, JOURNEY_TEMPLATES, type JourneyDefinition } from '@cairn/core';
import { createJourney, type Database } from '@cairn/db';

type Connection = Database['connection'];

const STARTERS: { templateId: string; values: Record<string, string> }[] = [
  {
    templateId: 'ecommerce-purchase-frequency',
    values: { customersSegmentId: 'repeat-buyers', storeUrl: 'https://coffee.example.com' },
  },
  {
    templateId: 'reorder-reminder',
    values: { storeUrl: 'https://coffee.example.com/account/orders' },
  },
];

/** Creates the starter journeys as drafts; returns their ids. */
export async function createDemoJourneys(
  connection: Connection,
  workspaceId: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (const starter of STARTERS) {
    const template = JOURNEY_TEMPLATES.find((t) => t.id === starter.templateId);
    if (!template)
      throw new Error(
        `the demo's starter journey template "${starter.templateId}" is missing from JOURNEY_TEMPLATES`,
      );
    const definition: JourneyDefinition = instantiateTemplate(template, starter.values);
    const journey = await createJourney(connection, workspaceId, {
      name: template.title,
      definition,
    });
    ids.push(journey.journeyId);
  }
  return ids;
}
