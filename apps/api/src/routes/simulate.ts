// Dry runs of a journey over HTTP: one contact, a script of events, a virtual clock; nothing is sent or stored.
import { Router } from 'express';
import {
  emptyProfile,
  evaluateSegment,
  foldEvents,
  simulateJourney,
  type ContactProfile,
  type FoldableEvent,
  type JourneyDefinition,
} from '@cairn/core';
import {
  findContact,
  findJourney,
  findJourneyVersion,
  loadProfile,
  profileSettingsFromWorkspace,
  findWorkspace,
} from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { actionRegistryOf } from './catalog.js';
import { JourneySimulateBody } from '@cairn/contract';

const DAY_MS = 86_400_000;
/** A graph the interpreter cannot walk (a draft still being drawn) is the caller's to fix, not a 500. */
function runOr422<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw HttpProblem.unprocessable(
      `The journey cannot run as drawn: ${error instanceof Error ? error.message : String(error)}. POST /api/v1/journeys/validate lists what to fix.`,
      [{ path: 'definition', message: 'fix the graph, or simulate a published version' }],
    );
  }
}

export function simulateRoutes(ctx: ApiContext): Router {
  const router = Router();
  const conn = () => ctx.db.connection;

  router.post('/journeys/:id/simulate', requireRole('viewer', 'readOnly'), async (req, res) => {
    const body = parseOr400(JourneySimulateBody, req.body ?? {});
    const workspaceId = workspaceIdOf(res);
    const journey = await findJourney(conn(), workspaceId, req.params.id);
    if (!journey)
      throw HttpProblem.notFound(
        `No journey "${req.params.id}" in this workspace. GET /api/v1/journeys lists them.`,
      );
    const definition = await definitionToRun(workspaceId, journey, body.version);

    const startMs = body.startAt ? Date.parse(body.startAt) : Date.now();
    const atOf = (w: { at?: string; afterDays?: number }) =>
      w.at !== undefined ? Date.parse(w.at) : startMs + (w.afterDays ?? 0) * DAY_MS;

    let contactId = 'simulated-contact';
    let base: ContactProfile;
    let segments: string[];
    let timezone: string | undefined;
    if (body.contactId) {
      const doc = await findContact(conn(), workspaceId, body.contactId);
      if (!doc)
        throw HttpProblem.badRequest(`No contact '${body.contactId}' in this workspace.`, [
          { path: 'contactId', message: 'name a stored contact, or describe one in `contact`' },
        ]);
      contactId = doc.contactId;
      base = await loadProfile(conn(), doc);
      segments = Object.keys(doc.segments ?? {});
      const zone = base.traits['timezone'];
      timezone = typeof zone === 'string' ? zone : undefined;
    } else {
      base = emptyProfile(contactId);
      base.traits = { ...base.traits, ...(body.contact?.traits ?? {}) };
      segments = body.contact?.segments ?? [];
      timezone = body.contact?.timezone;
    }
    const workspace = await findWorkspace(conn(), workspaceId);
    const profileSettings = profileSettingsFromWorkspace(workspace);

    const script = body.events
      .map((e, i) => ({ at: atOf(e), event: e.event, properties: e.properties, i }))
      .sort((a, b) => a.at - b.at || a.i - b.i);
    const foldable = (e: (typeof script)[number]): FoldableEvent => ({
      messageId: `simulated-${e.i}`,
      type: 'track',
      event: e.event,
      properties: e.properties,
      traits: {},
      timestamp: e.at,
    });
    // The profile a condition reads at an instant: the stored one plus the scripted events up to then.
    const profileAt = (now: number) =>
      foldEvents(base, script.filter((e) => e.at <= now).map(foldable), profileSettings);

    const trigger = definition.nodes.find((n) => n.kind === 'trigger');
    const memberships = Object.fromEntries(segments.map((id) => [id, true]));
    if (trigger?.kind === 'trigger' && trigger.trigger.type === 'segmentEntered')
      memberships[trigger.trigger.segmentId] = true;
    const entryEvent =
      trigger?.kind === 'trigger' && trigger.trigger.type === 'event'
        ? {
            event: trigger.trigger.event,
            properties: {},
            timestamp: new Date(startMs).toISOString(),
          }
        : undefined;

    const registry = actionRegistryOf(ctx);
    const result = runOr422(() =>
      simulateJourney(definition, {
        contact: {
          id: contactId,
          profile: profileAt(startMs),
          memberships,
          ...(timezone ? { timezone } : {}),
        },
        ...(workspace?.settings?.timezone
          ? { workspaceTimezone: workspace.settings.timezone }
          : {}),
        startAt: new Date(startMs),
        until: new Date(startMs + body.days * DAY_MS),
        ...(entryEvent ? { entryEvent } : {}),
        events: script.map((e) => ({
          at: new Date(e.at),
          event: {
            event: e.event,
            properties: e.properties,
            timestamp: new Date(e.at).toISOString(),
          },
        })),
        segmentChanges: body.segmentChanges.map((c) => ({
          at: new Date(atOf(c)),
          segmentId: c.segmentId,
          member: c.member,
        })),
        catalog: registry.catalog(),
        ...(body.actionOutputs ? { actionOutputs: body.actionOutputs } : {}),
        evaluateCondition: (condition, facts) =>
          evaluateSegment(condition, {
            contactId,
            profile: profileAt(facts.now.getTime()),
            now: facts.now,
            memberships: new Set(
              Object.entries(facts.memberships)
                .filter(([, member]) => member)
                .map(([id]) => id),
            ),
            profileSettings,
          }).matches,
        seed: `simulate:${journey.journeyId}`,
      }),
    );
    res.json({
      journeyId: journey.journeyId,
      version: body.version ?? journey.publishedVersion ?? 'draft',
      contactId,
      startAt: new Date(startMs).toISOString(),
      until: new Date(startMs + body.days * DAY_MS).toISOString(),
      path: result.path,
      timeline: result.timeline,
      messages: result.messages,
      actions: result.actions,
      state: result.state,
    });
  });

  async function definitionToRun(
    workspaceId: string,
    journey: { journeyId: string; draft: JourneyDefinition; publishedVersion?: number },
    version: number | 'draft' | undefined,
  ): Promise<JourneyDefinition> {
    const wanted = version ?? journey.publishedVersion ?? 'draft';
    if (wanted === 'draft') return journey.draft;
    const found = await findJourneyVersion(conn(), workspaceId, journey.journeyId, wanted);
    if (!found)
      throw HttpProblem.badRequest(
        `Journey "${journey.journeyId}" has no published version ${wanted}.`,
        [{ path: 'version', message: 'use a published version number, or "draft"' }],
      );
    return found.definition as JourneyDefinition;
  }

  return router;
}
