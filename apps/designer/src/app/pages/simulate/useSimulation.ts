import type { ActionCatalog, JourneyDefinition } from '@cairn/core';
import { useState } from 'react';
import { parseScriptedEvents, profileFor, simulate } from '../../../graph/simulate.js';
import type { SimulatedPerson, SimulationView } from '../../../graph/simulate.js';
import type { MessagePreview } from '../../../graph/message-preview.js';
import { useApi } from '../../session.js';

export type Mode = 'contact' | 'describe';

/** The preview's inputs (who, what they do, how long, which action outcomes) and running it. */
export function useSimulation({
  journeyId,
  definition,
  catalog,
  onResult,
}: {
  journeyId: string;
  definition: JourneyDefinition;
  catalog: ActionCatalog;
  onResult: (result: SimulationView | null) => void;
}) {
  const api = useApi();
  const [mode, setMode] = useState<Mode>('describe');
  const [contactId, setContactId] = useState('');
  const [traitsText, setTraitsText] = useState(
    '{\n  "email": "ada@example.com",\n  "firstName": "Ada",\n  "timezone": "Europe/Paris"\n}',
  );
  const [eventsText, setEventsText] = useState('');
  const [segmentsText, setSegmentsText] = useState('');
  const [days, setDays] = useState(30);
  const [outcomes, setOutcomes] = useState<Record<string, string>>({});
  const [result, setResult] = useState<SimulationView | null>(null);
  // Rendered subject and body per simulated message (by step key), for the contact being previewed.
  const [previews, setPreviews] = useState<Record<string, MessagePreview>>({});
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);

  async function personFromInputs(): Promise<SimulatedPerson> {
    if (mode === 'contact') {
      if (!contactId.trim()) throw new Error('Enter the id of a contact to preview.');
      const contact = await api.getContact(contactId.trim());
      return {
        id: contact.id,
        traits: contact.traits,
        profile: contact.profile,
        segments: contact.segments.map((s) => s.id),
        events: parseEvents(),
      };
    }
    let traits: unknown;
    try {
      traits = JSON.parse(traitsText || '{}');
    } catch {
      throw new Error('Traits: not valid JSON — write an object such as {"plan": "pro"}.');
    }
    if (!traits || typeof traits !== 'object' || Array.isArray(traits))
      throw new Error('Traits: must be a JSON object such as {"plan": "pro"}.');
    const segments = segmentsText
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return {
      id: 'preview-contact',
      traits: traits as Record<string, unknown>,
      segments,
      events: parseEvents(),
    };
  }

  function parseEvents() {
    const parsed = parseScriptedEvents(eventsText);
    if (parsed.errors.length > 0) throw new Error(`Events: ${parsed.errors.join('; ')}`);
    return parsed.events;
  }

  async function run() {
    setRunning(true);
    setError(null);
    try {
      const person = await personFromInputs();
      const startAt = new Date();
      const view = simulate(definition, {
        person,
        startAt,
        days,
        catalog,
        actionOutputs: outcomes,
      });
      // Templates read the same contact the conditions did: its traits and its profile (history folded in).
      // The template engine loads on the first preview, keeping it out of the editor's first paint.
      const { PREVIEW_UNSUBSCRIBE_URL, renderMessagePreview } =
        await import('../../../graph/message-preview.js');
      const contact = {
        id: person.id,
        traits: person.traits,
        profile: profileFor(person, startAt) as unknown as Record<string, unknown>,
      };
      setPreviews(
        Object.fromEntries(
          view.messages.map((m) => [
            m.stepKey,
            renderMessagePreview(m.config, {
              contact,
              journey: { id: journeyId, version: 0, runId: 'preview', nodeId: m.nodeId },
              unsubscribeUrl: PREVIEW_UNSUBSCRIBE_URL,
            }),
          ]),
        ),
      );
      setResult(view);
      onResult(view);
    } catch (e) {
      setResult(null);
      onResult(null);
      setError(e);
    } finally {
      setRunning(false);
    }
  }

  return {
    inputs: {
      mode,
      setMode,
      contactId,
      setContactId,
      traitsText,
      setTraitsText,
      eventsText,
      setEventsText,
      segmentsText,
      setSegmentsText,
      days,
      setDays,
      outcomes,
      setOutcomes,
    },
    run,
    running,
    result,
    previews,
    error,
  };
}

export type SimulationInputs = ReturnType<typeof useSimulation>['inputs'];
