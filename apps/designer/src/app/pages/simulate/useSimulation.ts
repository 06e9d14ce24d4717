import type { ActionCatalog, JourneyDefinition } from '@cairn/core';
import { useState } from 'react';
import { profileFor, simulate } from '../../../graph/simulate.js';
import type { ScriptedEvent, SimulatedPerson, SimulationView } from '../../../graph/simulate.js';
import type { MessagePreview } from '../../../graph/message-preview.js';
import { useApi, useMe } from '../../session.js';
import { parseProperties, previewTimeZone, traitsFromRows, type TraitRow } from './sim-words.js';

export type Mode = 'contact' | 'describe';
export type PickedContact = { id: string; name: string };
/** One scripted event: on which day, which event, and `name: value` properties. */
export type EventRow = { day: string; event: string; properties: string };

/** Event rows as the simulator's script; a row's mistake is named by its line and field. */
function scriptedEvents(rows: EventRow[]): ScriptedEvent[] {
  return rows.flatMap((row, i) => {
    if (!row.event.trim() && !row.properties.trim()) return [];
    const day = Number(row.day);
    if (row.day.trim() === '' || !Number.isFinite(day))
      throw new Error(`Event ${i + 1}: the day must be a number, e.g. 3 (or -30 for history).`);
    if (!row.event.trim()) throw new Error(`Event ${i + 1}: pick which event happens.`);
    const { properties, error } = parseProperties(row.properties);
    if (error) throw new Error(`Event ${i + 1}: ${error}.`);
    return [
      {
        day,
        event: row.event.trim(),
        ...(Object.keys(properties).length ? { properties } : {}),
      },
    ];
  });
}

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
  // Quiet hours and times of day fall back to the workspace's zone, as on the server.
  const workspaceTimezone = useMe()?.workspace.settings.timezone;
  const [mode, setMode] = useState<Mode>('describe');
  const [contact, setContact] = useState<PickedContact | null>(null);
  const [traitRows, setTraitRows] = useState<TraitRow[]>([
    { name: 'email', value: 'ada@example.com' },
    { name: 'firstName', value: 'Ada' },
    { name: 'timezone', value: 'Europe/Paris' },
  ]);
  const [eventRows, setEventRows] = useState<EventRow[]>([]);
  const [segmentIds, setSegmentIds] = useState<string[]>([]);
  const [days, setDays] = useState(30);
  const [outcomes, setOutcomes] = useState<Record<string, string>>({});
  const [result, setResult] = useState<SimulationView | null>(null);
  // Rendered subject and body per simulated message (by step key), for the contact being previewed.
  const [previews, setPreviews] = useState<Record<string, MessagePreview>>({});
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  // The timeline reads in the previewed contact's time zone, fixed when the preview ran.
  const [timeZone, setTimeZone] = useState('UTC');

  async function personFromInputs(): Promise<SimulatedPerson> {
    if (mode === 'contact') {
      if (!contact) throw new Error('Search for a contact and pick one to preview.');
      const found = await api.getContact(contact.id);
      return {
        id: found.id,
        traits: found.traits,
        profile: found.profile,
        segments: found.segments.map((s) => s.id),
        events: scriptedEvents(eventRows),
      };
    }
    return {
      id: 'preview-contact',
      traits: traitsFromRows(traitRows),
      segments: segmentIds,
      events: scriptedEvents(eventRows),
    };
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
        ...(workspaceTimezone ? { workspaceTimezone } : {}),
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
      setTimeZone(previewTimeZone(person.traits, workspaceTimezone));
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
      contact,
      setContact,
      traitRows,
      setTraitRows,
      eventRows,
      setEventRows,
      segmentIds,
      setSegmentIds,
      days,
      setDays,
      outcomes,
      setOutcomes,
    },
    run,
    running,
    result,
    previews,
    timeZone,
    error,
  };
}

export type SimulationInputs = ReturnType<typeof useSimulation>['inputs'];
