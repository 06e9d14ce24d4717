import { Router } from 'express';
import { METRIC_NAMES, recentTimeline } from '@cairn/core';
import {
  ContactCursorError,
  decodeDocumentKeys,
  eraseContact,
  findContact,
  findContactJourneys,
  journeyNames,
  listContacts,
  listEventCatalog,
  loadProfile,
  readProfileSummary,
  segmentNames,
  type ContactDoc,
} from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { ContactListQuery } from '@cairn/contract';

function summary(doc: ContactDoc) {
  const traits = decodeDocumentKeys(doc.traits ?? {});
  return {
    id: doc.contactId,
    traits,
    anonymous: doc.anonymous,
    lastSeenAt: readProfileSummary(doc).lastSeenAt ?? null,
  };
}

/** The call type behind an event name (Segment's non-track calls have fixed names). */
function typeOfEvent(event: string): string {
  const byName: Record<string, string> = {
    Identify: 'identify',
    'Page Viewed': 'page',
    'Screen Viewed': 'screen',
    Group: 'group',
    Alias: 'alias',
  };
  // Own keys only: an event named "constructor" or "__proto__" is a track call, not Object's member.
  return Object.hasOwn(byName, event) ? (byName[event] ?? 'track') : 'track';
}

export function contactRoutes(ctx: ApiContext): Router {
  const router = Router();
  const { connection } = ctx.db;

  router.get('/contacts', requireRole('viewer'), async (req, res) => {
    const query = parseOr400(ContactListQuery, req.query, 'query string');
    const page = await listContacts(connection, workspaceIdOf(res), {
      ...(query.q ? { search: query.q } : {}),
      ...(query.cursor ? { after: query.cursor } : {}),
      limit: query.limit,
    }).catch((error: unknown) => {
      if (error instanceof ContactCursorError)
        throw HttpProblem.badRequest(error.message, [
          {
            path: 'cursor',
            message: 'pass the nextCursor of the previous page of the same search, or leave it out',
          },
        ]);
      throw error;
    });
    res.json({ items: page.contacts.map(summary), nextCursor: page.nextCursor });
  });

  router.get('/contacts/:contactId', requireRole('viewer'), async (req, res) => {
    const workspaceId = workspaceIdOf(res);
    const doc = await findContact(connection, workspaceId, req.params.contactId);
    if (!doc) throw HttpProblem.notFound(`No contact '${req.params.contactId}' in this workspace.`);
    const names = await segmentNames(connection, workspaceId, Object.keys(doc.segments ?? {}));
    const journeysDoc = await findContactJourneys(connection, workspaceId, doc.contactId);
    const journeyNamesById = await journeyNames(
      connection,
      workspaceId,
      Object.values(journeysDoc?.runs ?? {}).map((run) => run.journeyId),
    );
    // The latest events come from the occurrences the profile keeps: an `_id` read, not a scan of the event log.
    const profile = await loadProfile(connection, doc);
    res.json({
      ...summary(doc),
      tags: doc.tags,
      subscriptions: doc.subscriptions,
      profile,
      segments: Object.entries(doc.segments ?? {}).map(([id, m]) => ({
        id,
        name: names.get(id) ?? id,
        since: m.since,
        version: m.version,
      })),
      journeys: Object.entries(journeysDoc?.runs ?? {}).map(([journeyId, run]) => {
        const name = journeyNamesById.get(run.journeyId);
        return Object.assign({ journeyId }, run, name !== undefined ? { name } : {});
      }),
      timeline: recentTimeline(profile, 100).map((t) => ({
        at: t.at,
        type: typeOfEvent(t.event),
        event: t.event,
        properties: t.properties,
        messageId: t.messageId,
      })),
    });
  });

  // Erasing a person (GDPR) is irreversible: admins only.
  router.delete(
    '/contacts/:contactId',
    requireRole('admin', { audits: 'contact' }),
    async (req, res) => {
      const workspaceId = workspaceIdOf(res);
      const contactId = req.params.contactId;
      const doc = await findContact(connection, workspaceId, contactId, [
        'contactId',
        'mergedFrom',
      ]);
      if (!doc) throw HttpProblem.notFound(`No contact '${contactId}' in this workspace.`);
      // Stop their journeys first, so no step runs against a contact that no longer exists.
      let stopped = 0;
      try {
        const query = `CairnWorkspaceId = '${workspaceId.replace(/'/g, '')}' AND CairnContactId = '${contactId.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Running'`;
        for await (const wf of ctx.temporal.client.workflow.list({ query })) {
          await ctx.temporal.client.workflow.getHandle(wf.workflowId).terminate('contact deleted');
          stopped++;
        }
      } catch (error) {
        throw HttpProblem.unavailable(
          `Could not stop the contact's journeys (${(error as Error).message}); nothing was deleted. Retry when Temporal is reachable.`,
        );
      }
      // Events of contacts merged into this one keep their own contactId: they go too.
      const erased = await eraseContact(connection, workspaceId, doc);
      await audit(ctx, res, {
        action: 'contact.deleted',
        resource: { type: 'contact', id: contactId },
        changes: [],
      });
      res.json({ deleted: true, events: erased.events, journeysStopped: stopped });
    },
  );

  router.get('/schema/events', requireRole('viewer'), async (_req, res) => {
    res.json(await listEventCatalog(connection, workspaceIdOf(res)));
  });

  router.get('/schema/metrics', requireRole('viewer'), (_req, res) => {
    res.json(METRIC_NAMES.map((name) => ({ name })));
  });

  return router;
}
