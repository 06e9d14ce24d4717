import { Router } from 'express';
import { METRIC_NAMES, recentTimeline } from '@cairn/core';
import {
  contactKey,
  contactModel,
  decodeDocumentKeys,
  eventModel,
  eventSchemaModel,
  identityModel,
  loadProfile,
  readProfileSummary,
  deleteActivities,
  type ContactDoc,
} from '@cairn/db';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';

export const ListQuery = z.object({
  q: z.string().max(200).optional(),
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1, 'must be ≥ 1').max(200, 'must be ≤ 200').default(50),
});

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function summary(doc: ContactDoc) {
  const traits = decodeDocumentKeys(doc.traits ?? {});
  return { id: doc.contactId, traits, anonymous: doc.anonymous, lastSeenAt: readProfileSummary(doc).lastSeenAt ?? null };
}

/** The call type behind an event name (Segment's non-track calls have fixed names). */
function typeOfEvent(event: string): string {
  const byName: Record<string, string> = { Identify: 'identify', 'Page Viewed': 'page', 'Screen Viewed': 'screen', Group: 'group', Alias: 'alias' };
  return byName[event] ?? 'track';
}

/** Reads another feature's collection without depending on its module (names are part of the data contract). */
async function rawFind<T>(ctx: ApiContext, collection: string, filter: Record<string, unknown>, limit = 100): Promise<T[]> {
  const db = ctx.db.connection.db;
  if (!db) return [];
  return (await db.collection(collection).find(filter).limit(limit).toArray()) as T[];
}

export function contactRoutes(ctx: ApiContext): Router {
  const router = Router();
  const Contacts = () => contactModel(ctx.db.connection);

  router.get('/contacts', requireRole('viewer'), async (req, res) => {
    const query = parseOr400(ListQuery, req.query, 'query string');
    const workspaceId = workspaceIdOf(res);
    const filter: Record<string, unknown> = { workspaceId, mergedInto: { $exists: false } };
    if (query.cursor) filter._id = { $gt: contactKey(workspaceId, query.cursor) };
    if (query.q) {
      const pattern = { $regex: escapeRegex(query.q), $options: 'i' };
      filter.$or = [{ contactId: pattern }, { 'traits.email': pattern }, { 'traits.name': pattern }, { 'traits.firstName': pattern }];
    }
    const docs = await Contacts().find(filter).sort({ _id: 1 }).limit(query.limit + 1).lean();
    const page = docs.slice(0, query.limit);
    res.json({
      items: page.map(summary),
      nextCursor: docs.length > query.limit ? page[page.length - 1]?.contactId : null,
    });
  });

  router.get('/contacts/:contactId', requireRole('viewer'), async (req, res) => {
    const workspaceId = workspaceIdOf(res);
    const doc = await Contacts().findById(contactKey(workspaceId, req.params.contactId)).lean();
    if (!doc) throw HttpProblem.notFound(`No contact '${req.params.contactId}' in this workspace.`);
    const segmentIds = Object.keys(doc.segments ?? {});
    const segments = segmentIds.length
      ? await rawFind<{ _id: string; segmentId: string; name: string }>(ctx, 'segments', { _id: { $in: segmentIds.map((id) => `${workspaceId}:${id}`) } })
      : [];
    const names = new Map(segments.map((s) => [s.segmentId, s.name]));
    const [journeysDoc] = await rawFind<{ runs?: Record<string, Record<string, unknown>> }>(ctx, 'contact_journeys', { _id: contactKey(workspaceId, doc.contactId) }, 1);
    // The latest events come from the occurrences the profile keeps: an `_id` read, not a scan of the event log.
    const profile = await loadProfile(ctx.db.connection, doc);
    res.json({
      ...summary(doc),
      tags: doc.tags,
      subscriptions: doc.subscriptions,
      profile,
      segments: Object.entries(doc.segments ?? {}).map(([id, m]) => ({ id, name: names.get(id) ?? id, since: m.since, version: m.version })),
      journeys: Object.entries(journeysDoc?.runs ?? {}).map(([journeyId, run]) => ({ journeyId, ...run })),
      timeline: recentTimeline(profile, 100).map((t) => ({ at: t.at, type: typeOfEvent(t.event), event: t.event, properties: t.properties, messageId: t.messageId })),
    });
  });

  // Erasing a person (GDPR) is irreversible: admins only.
  router.delete('/contacts/:contactId', requireRole('admin', { audits: 'contact' }), async (req, res) => {
    const workspaceId = workspaceIdOf(res);
    const contactId = req.params.contactId;
    const doc = await Contacts().findById(contactKey(workspaceId, contactId)).lean();
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
      throw HttpProblem.unavailable(`Could not stop the contact's journeys (${(error as Error).message}); nothing was deleted. Retry when Temporal is reachable.`);
    }
    // Events of contacts merged into this one keep their own contactId: they go too.
    const events = await eventModel(ctx.db.connection).deleteMany({ workspaceId, contactId: { $in: [contactId, ...(doc.mergedFrom ?? [])] } });
    await identityModel(ctx.db.connection).deleteMany({ workspaceId, contactId });
    await ctx.db.connection.db?.collection('contact_journeys').deleteOne({ _id: contactKey(workspaceId, contactId) } as never);
    await Contacts().deleteOne({ _id: doc._id });
    await deleteActivities(ctx.db.connection, [doc._id]);
    await audit(ctx, res, { action: 'contact.deleted', resource: { type: 'contact', id: contactId }, changes: [] });
    res.json({ deleted: true, events: events.deletedCount, journeysStopped: stopped });
  });

  router.get('/schema/events', requireRole('viewer'), async (_req, res) => {
    const docs = await eventSchemaModel(ctx.db.connection).find({ workspaceId: workspaceIdOf(res) }).sort({ count: -1 }).limit(500).lean();
    res.json(
      docs.map((d) => ({
        event: d.event,
        count: d.count,
        lastSeenAt: d.lastSeenAt,
        properties: Object.entries(decodeDocumentKeys(d.properties ?? {})).map(([name, type]) => ({ name, type })),
      })),
    );
  });

  router.get('/schema/metrics', requireRole('viewer'), (_req, res) => {
    res.json(METRIC_NAMES.map((name) => ({ name })));
  });

  return router;
}
