import { Router, type Response } from 'express';
import { stringify } from 'csv-stringify';
import { SEGMENT_TEMPLATES, affinityReferences, validateSegmentDefinition } from '@cairn/core';
import {
  archiveSegment,
  contactExists,
  contactSegmentHistory,
  createSegment,
  explainContactSegment,
  getSegment,
  listSegmentMembers,
  listSegments,
  noteBackfillNotStarted,
  previewSegment,
  segmentBackfillWorkflowId,
  segmentMemberHistory,
  SegmentProblem,
  updateSegment,
  type Segment,
  workspaceAffinities,
} from '@cairn/db';
import { startSegmentBackfill } from '@cairn/workflows/client';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import {
  SegmentCreateBody,
  SegmentHistoryQuery,
  SegmentMembersExportQuery,
  SegmentMembersQuery,
  SegmentPreviewBody,
  SegmentUpdateBody,
} from '@cairn/contract';

const DEFAULT_EXPORT_TRAITS = ['email', 'firstName', 'lastName', 'name', 'phone'];

/** A trait as one CSV cell: text as is, other values as JSON. */
function cellOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function summary(s: Segment) {
  return {
    id: s.segmentId,
    name: s.name,
    description: s.description,
    memberCount: Math.max(0, s.memberCount),
    version: s.version,
    backfill: s.backfill,
  };
}

function detail(s: Segment) {
  return {
    ...summary(s),
    definition: s.definition,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** The fields of a segment the audit log compares. */
function audited(s: Segment) {
  // An empty description and none read the same to a marketer: no change either way.
  return { name: s.name, description: s.description || null, definition: s.definition };
}

function asHttpProblem(error: unknown): unknown {
  if (!(error instanceof SegmentProblem)) return error;
  switch (error.kind) {
    case 'invalid':
      return HttpProblem.badRequest(
        `${error.message} ${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`.trim(),
        error.issues,
      );
    case 'unknownReference':
    case 'cycle':
      return HttpProblem.unprocessable(
        `${error.message} ${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`.trim(),
        error.issues,
      );
    case 'notFound':
      return HttpProblem.notFound(error.message);
    case 'conflict':
    case 'inUse':
      return new HttpProblem(
        409,
        'Conflict',
        error.message,
        error.issues.length ? error.issues : undefined,
      );
  }
}

async function orProblem<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw asHttpProblem(error);
  }
}

/**
 * Starts (or restarts, for a newer version) the backfill workflow. When Temporal is unreachable the
 * segment is saved anyway and its backfill stays `pending`; saving it again retries.
 */
async function startBackfill(ctx: ApiContext, res: Response, segment: Segment): Promise<void> {
  try {
    await startSegmentBackfill(
      ctx.temporal.client,
      ctx.temporal.taskQueue,
      segmentBackfillWorkflowId(segment.workspaceId, segment.segmentId),
      { workspaceId: segment.workspaceId, segmentId: segment.segmentId, version: segment.version },
    );
  } catch (error) {
    res.locals.backfillNotStarted = true;
    ctx.logger.warn(
      { err: error, segmentId: segment.segmentId },
      'segment backfill not started; it stays pending',
    );
    await noteBackfillNotStarted(ctx.db.connection, {
      workspaceId: segment.workspaceId,
      segmentId: segment.segmentId,
      version: segment.version,
      error: 'Temporal was unreachable; save the segment again to start its backfill.',
    });
  }
}

/** `/segments/**` and `/contacts/:contactId/segments/history` of the management API. */
export function segmentRoutes(ctx: ApiContext): Router {
  const router = Router();
  const connection = ctx.db.connection;

  router.get('/segments', requireRole('viewer'), async (_req, res) => {
    res.json((await listSegments(connection, workspaceIdOf(res))).map(summary));
  });

  router.get('/segments/templates', requireRole('viewer'), (_req, res) => {
    res.json(SEGMENT_TEMPLATES);
  });

  router.post('/segments/preview', requireRole('viewer', 'readOnly'), async (req, res) => {
    const body = parseOr400(SegmentPreviewBody, req.body);
    const checked = validateSegmentDefinition(body.definition);
    if (!checked.ok) {
      const errors = checked.issues.map((i) => ({
        path: i.path ? `definition.${i.path}` : 'definition',
        message: i.message,
      }));
      throw HttpProblem.badRequest(
        `The segment definition is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        errors,
      );
    }
    res.json(
      await previewSegment(connection, workspaceIdOf(res), checked.definition, {
        sampleSize: body.sampleSize,
      }),
    );
  });

  /** A condition on an affinity the workspace does not count would match nobody, silently: refuse it. */
  const refuseUnknownAffinities = async (workspaceId: string, definition: unknown) => {
    const checked = validateSegmentDefinition(definition);
    if (!checked.ok) return; // the repository reports those, with their paths
    const refs = affinityReferences(checked.definition);
    if (refs.length === 0) return;
    const defined = new Set(
      ((await workspaceAffinities(connection, workspaceId)) ?? []).map((a) => a.name),
    );
    const errors = refs
      .filter((r) => !defined.has(r.affinity))
      .map((r) => ({
        path: `definition.${r.path}`,
        message: `"${r.affinity}" is not an affinity of this workspace: define it first (Settings → Affinities, PUT /api/v1/settings/affinities), or leave affinity out to read product categories`,
      }));
    if (errors.length > 0)
      throw HttpProblem.badRequest(
        `The segment definition is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        errors,
      );
  };

  router.post('/segments', requireRole('editor', { audits: 'segment' }), async (req, res) => {
    const body = parseOr400(SegmentCreateBody, req.body);
    await refuseUnknownAffinities(workspaceIdOf(res), body.definition);
    const segment = await orProblem(
      createSegment(connection, workspaceIdOf(res), {
        segmentId: body.id,
        name: body.name,
        description: body.description,
        definition: body.definition,
      }),
    );
    await audit(ctx, res, {
      action: 'segment.created',
      resource: { type: 'segment', id: segment.segmentId, name: segment.name },
      before: {},
      after: audited(segment),
    });
    await startBackfill(ctx, res, segment);
    res.status(201).location(`/api/v1/segments/${segment.segmentId}`).json(detail(segment));
  });

  router.get('/segments/:id', requireRole('viewer'), async (req, res) => {
    const segment = await getSegment(connection, workspaceIdOf(res), req.params.id);
    if (!segment) throw HttpProblem.notFound(`No segment "${req.params.id}" in this workspace.`);
    res.json(detail(segment));
  });

  router.put('/segments/:id', requireRole('editor', { audits: 'segment' }), async (req, res) => {
    const body = parseOr400(SegmentUpdateBody, req.body);
    if (body.definition !== undefined)
      await refuseUnknownAffinities(workspaceIdOf(res), body.definition);
    const before = await getSegment(connection, workspaceIdOf(res), req.params.id);
    const { segment, backfillNeeded } = await orProblem(
      updateSegment(connection, workspaceIdOf(res), req.params.id, body),
    );
    await audit(ctx, res, {
      action: 'segment.updated',
      resource: { type: 'segment', id: segment.segmentId, name: segment.name },
      before: before ? audited(before) : {},
      after: audited(segment),
    });
    if (backfillNeeded) await startBackfill(ctx, res, segment);
    res.json(detail(segment));
  });

  // Archiving takes a segment out of use, so it needs the publisher role like other go-live changes.
  router.delete(
    '/segments/:id',
    requireRole('publisher', { audits: 'segment' }),
    async (req, res) => {
      const before = await getSegment(connection, workspaceIdOf(res), req.params.id);
      await orProblem(archiveSegment(connection, workspaceIdOf(res), req.params.id));
      await audit(ctx, res, {
        action: 'segment.archived',
        resource: { type: 'segment', id: req.params.id, ...(before ? { name: before.name } : {}) },
        changes: [],
      });
      res.status(204).end();
    },
  );

  router.get('/segments/:id/members', requireRole('viewer'), async (req, res) => {
    const query = parseOr400(SegmentMembersQuery, req.query, 'query string');
    const workspaceId = workspaceIdOf(res);
    if (!(await getSegment(connection, workspaceId, req.params.id)))
      throw HttpProblem.notFound(`No segment "${req.params.id}" in this workspace.`);
    res.json(await orProblem(listSegmentMembers(connection, workspaceId, req.params.id, query)));
  });

  // Every member as CSV, streamed page by page from the member pages (each page an `_id` read).
  router.get('/segments/:id/members.csv', requireRole('viewer'), async (req, res) => {
    const query = parseOr400(SegmentMembersExportQuery, req.query, 'query string');
    const workspaceId = workspaceIdOf(res);
    const segment = await getSegment(connection, workspaceId, req.params.id);
    if (!segment) throw HttpProblem.notFound(`No segment "${req.params.id}" in this workspace.`);
    const traits = query.traits
      ? query.traits.split(',').map((t) => t.trim())
      : DEFAULT_EXPORT_TRAITS;
    const first = await orProblem(
      listSegmentMembers(connection, workspaceId, segment.segmentId, { limit: 500 }),
    );
    res.status(200);
    res.type('text/csv; charset=utf-8');
    res.attachment(`${segment.segmentId}-members.csv`);
    const csv = stringify({ header: true, columns: ['id', ...traits, 'since', 'lastSeenAt'] });
    csv.pipe(res);
    let page = first;
    for (;;) {
      for (const m of page.items)
        csv.write([
          m.id,
          ...traits.map((t) => cellOf(m.traits[t])),
          new Date(m.since).toISOString(),
          m.lastSeenAt ? new Date(m.lastSeenAt).toISOString() : '',
        ]);
      if (!page.nextCursor) break;
      page = await listSegmentMembers(connection, workspaceId, segment.segmentId, {
        limit: 500,
        cursor: page.nextCursor,
      });
    }
    csv.end();
  });

  router.get('/segments/:id/history', requireRole('viewer'), async (req, res) => {
    const query = parseOr400(SegmentHistoryQuery, req.query, 'query string');
    const workspaceId = workspaceIdOf(res);
    if (!(await getSegment(connection, workspaceId, req.params.id)))
      throw HttpProblem.notFound(`No segment "${req.params.id}" in this workspace.`);
    res.json(await segmentMemberHistory(connection, workspaceId, req.params.id, query));
  });

  router.get('/segments/:id/why/:contactId', requireRole('viewer'), async (req, res) => {
    const answer = await explainContactSegment(
      connection,
      workspaceIdOf(res),
      req.params.id,
      req.params.contactId,
    );
    if (!answer)
      throw HttpProblem.notFound(
        `No segment "${req.params.id}" or no contact "${req.params.contactId}" in this workspace.`,
      );
    res.json(answer);
  });

  router.get('/contacts/:contactId/segments/history', requireRole('viewer'), async (req, res) => {
    const workspaceId = workspaceIdOf(res);
    if (!(await contactExists(connection, workspaceId, req.params.contactId))) {
      throw HttpProblem.notFound(`No contact '${req.params.contactId}' in this workspace.`);
    }
    res.json(await contactSegmentHistory(connection, workspaceId, req.params.contactId));
  });

  return router;
}
