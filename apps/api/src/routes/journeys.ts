// Long on purpose: the journey routes share parsing, problem and signalling helpers.
import { Router, type Response } from 'express';
import {
  JOURNEY_TEMPLATES,
  JourneyDefinitionSchema,
  entryWindowState,
  TemplateParameterError,
  instantiateTemplate,
  validateJourney,
  type JourneyDefinition,
} from '@cairn/core';
import {
  contactExists,
  countSegmentMembers,
  createJourney,
  enqueueSegmentMembersForJourney,
  existingSegmentIds,
  findJourney,
  findJourneyVersion,
  getTemplate,
  journeyStats,
  journeyTotals,
  listJourneyVersions,
  listJourneys,
  loadJourneyDefinition,
  publishJourneyDraft,
  referencedSegmentIds,
  reserveEnrollmentSparingRead,
  saveJourneyDraft,
  segmentNames,
  setJourneyStatus,
  type JourneyDoc,
  type JourneyStatus,
} from '@cairn/db';
import { JOURNEY_SIGNALS, type JourneyControl } from '@cairn/workflows';
import { enrollInJourney, JourneyStartFailed } from '@cairn/workflows/client';
import type { ApiContext } from '../context.js';
import { principalOf, requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { HttpProblem, parseOr400, zodFieldErrors } from '../http/problem.js';
import { actionRegistryOf } from './catalog.js';
import {
  JOURNEY_EXPORT_FORMAT,
  JourneyCreateBody,
  JourneyEnrollBody,
  JourneyFromTemplateBody,
  JourneyImportBody,
  JourneyPublishBody,
  JourneyUpdateBody,
  JourneyValidateBody,
} from '@cairn/contract';

/** Drafts may be unfinished graphs, but they must have the journey's shape; field errors name the path. */
function parseDefinition(value: unknown): JourneyDefinition {
  if (value === undefined) {
    throw HttpProblem.badRequest(
      'definition: is required: a journey with name, settings, nodes and edges (see GET /api/v1/journeys/templates)',
      [{ path: 'definition', message: 'is required' }],
    );
  }
  const parsed = JourneyDefinitionSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = zodFieldErrors(parsed.error, 'definition');
  throw HttpProblem.badRequest(
    `The journey definition is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    errors,
  );
}

/** Message templates the steps name: `config.templateId` (reporting) and `config.template.id` (pinned content). */
function templateIdsOf(definition: unknown): string[] {
  const nodes = (definition as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes)) return [];
  const ids = new Set<string>();
  for (const node of nodes) {
    const config = (node as { config?: { templateId?: unknown; template?: { id?: unknown } } })
      ?.config;
    for (const id of [config?.templateId, config?.template?.id])
      if (typeof id === 'string' && id !== '') ids.add(id);
  }
  return [...ids];
}

/** Every reason the definition could not run here: graph, installed actions, this workspace's segments and templates. */
async function problemsOf(ctx: ApiContext, workspaceId: string, definition: unknown) {
  const segments = await existingSegmentIds(
    ctx.db.connection,
    workspaceId,
    referencedSegmentIds(definition),
  );
  const latest = new Map<string, number>();
  for (const id of templateIdsOf(definition)) {
    const template = await getTemplate(ctx.db.connection, workspaceId, id);
    if (template) latest.set(id, template.version);
  }
  return validateJourney(definition, {
    catalog: actionRegistryOf(ctx).catalog(),
    segmentExists: (id) => segments.has(id),
    templateExists: (id) => latest.has(id),
    templateLatestVersion: (id) => latest.get(id),
  });
}

async function detail(ctx: ApiContext, journey: JourneyDoc) {
  const versions = await listJourneyVersions(ctx.db.connection, journey);
  return {
    id: journey.journeyId,
    name: journey.name,
    status: journey.status,
    draft: journey.draft,
    ...(journey.publishedVersion ? { publishedVersion: journey.publishedVersion } : {}),
    versions: versions.map((v) => ({ version: v.version, publishedAt: v.publishedAt })),
    createdAt: journey.createdAt,
    updatedAt: journey.updatedAt,
  };
}

/** The fields of a journey the audit log compares. */
function audited(j: JourneyDoc) {
  return {
    name: j.name,
    status: j.status,
    publishedVersion: j.publishedVersion ?? null,
    draft: j.draft,
  };
}

function resourceOf(j: JourneyDoc) {
  return { type: 'journey', id: j.journeyId, name: j.name };
}

export async function journeyOr404(
  ctx: ApiContext,
  res: Response,
  journeyId: string,
): Promise<JourneyDoc> {
  const journey = await findJourney(ctx.db.connection, workspaceIdOf(res), journeyId);
  if (!journey)
    throw HttpProblem.notFound(
      `No journey "${journeyId}" in this workspace. GET /api/v1/journeys lists them.`,
    );
  return journey;
}

/**
 * Tells the journey's running workflows (found by search attribute) to pause, resume or stop. Best
 * effort: the action activity also checks the journey's status, so a run this misses still sends nothing.
 */
async function signalRuns(
  ctx: ApiContext,
  workspaceId: string,
  journeyId: string,
  control: JourneyControl,
) {
  let signalled = 0;
  try {
    const query = `CairnWorkspaceId = '${workspaceId.replace(/'/g, "\\'")}' AND CairnJourneyId = '${journeyId.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Running'`;
    for await (const run of ctx.temporal.client.workflow.list({ query })) {
      await ctx.temporal.client.workflow
        .getHandle(run.workflowId)
        .signal(JOURNEY_SIGNALS.control, control)
        .then(
          () => void signalled++,
          () => undefined, // it ended meanwhile
        );
    }
    return { signalled };
  } catch (error) {
    ctx.logger.warn(
      { err: error, journeyId },
      `could not signal "${control}" to running journey runs`,
    );
    return {
      signalled,
      signalError:
        'Temporal is unreachable; running contacts pick the change up at their next step.',
    };
  }
}

export function journeyRoutes(ctx: ApiContext): Router {
  const router = Router();
  const conn = () => ctx.db.connection;

  /** Creates a draft (however it was made), records it in the audit log and answers 201 with its detail. */
  async function createAndAnswer(
    res: Response,
    input: { name: string; definition: JourneyDefinition },
    action: 'journey.created' | 'journey.imported',
  ): Promise<void> {
    const journey = await createJourney(conn(), workspaceIdOf(res), input);
    await audit(ctx, res, {
      action,
      resource: resourceOf(journey),
      before: {},
      after: audited(journey),
    });
    res
      .status(201)
      .location(`/api/v1/journeys/${journey.journeyId}`)
      .json(await detail(ctx, journey));
  }

  /** The published version's entry dates and where `now` stands between them (nothing when it has none). */
  async function entryOf(
    workspaceId: string,
    journeyId: string,
    version: number | undefined,
    now: Date,
  ) {
    if (!version) return {};
    const settings = (await loadJourneyDefinition(conn(), workspaceId, journeyId, version))
      ?.settings;
    if (!settings || (settings.entryStartsAt === undefined && settings.entryEndsAt === undefined))
      return {};
    return {
      entry: {
        state: entryWindowState(settings, now),
        ...(settings.entryStartsAt !== undefined ? { startsAt: settings.entryStartsAt } : {}),
        ...(settings.entryEndsAt !== undefined ? { endsAt: settings.entryEndsAt } : {}),
      },
    };
  }

  router.get('/journeys', requireRole('viewer'), async (_req, res) => {
    const workspaceId = workspaceIdOf(res);
    const journeys = await listJourneys(conn(), workspaceId);
    const totals = await journeyTotals(
      conn(),
      workspaceId,
      journeys.map((j) => j.journeyId),
    );
    const now = new Date();
    res.json(
      await Promise.all(
        journeys.map(async (j) => ({
          id: j.journeyId,
          name: j.name,
          status: j.status,
          ...(j.publishedVersion ? { publishedVersion: j.publishedVersion } : {}),
          ...(await entryOf(workspaceId, j.journeyId, j.publishedVersion, now)),
          updatedAt: j.updatedAt,
          stats: totals(j.journeyId),
        })),
      ),
    );
  });

  router.get('/journeys/templates', requireRole('viewer'), (_req, res) => {
    res.json(JOURNEY_TEMPLATES);
  });

  // The same instantiateTemplate the designer calls, so every parameter (the heavy-buyer order count too) applies over HTTP.
  router.post(
    '/journeys/from-template',
    requireRole('editor', { audits: 'journey' }),
    async (req, res) => {
      const body = parseOr400(JourneyFromTemplateBody, req.body ?? {});
      const template = JOURNEY_TEMPLATES.find((t) => t.id === body.templateId);
      if (!template) {
        const known = JOURNEY_TEMPLATES.map((t) => `"${t.id}"`).join(', ');
        throw HttpProblem.badRequest(
          `templateId: no template "${body.templateId}"; use one of ${known}`,
          [{ path: 'templateId', message: `must be one of ${known}` }],
        );
      }
      const keys = template.parameters.map((p) => p.key);
      const given = Object.fromEntries(
        Object.entries(body.parameters ?? {}).map(([key, value]) => [key, String(value)]),
      );
      const unknown = Object.keys(given).filter((key) => !keys.includes(key));
      if (unknown.length > 0) {
        const errors = unknown.map((key) => ({
          path: `parameters.${key}`,
          message: `is not a parameter of "${template.id}"; its parameters are ${keys.join(', ')}`,
        }));
        throw HttpProblem.badRequest(
          `The template has no parameter ${unknown.map((k) => `"${k}"`).join(', ')}: its parameters are ${keys.join(', ')}`,
          errors,
        );
      }
      let definition: JourneyDefinition;
      try {
        definition = instantiateTemplate(template, given);
      } catch (error) {
        if (!(error instanceof TemplateParameterError)) throw error;
        throw HttpProblem.badRequest(
          error.message,
          error.problems.map((p) => ({ path: `parameters.${p.parameter}`, message: p.message })),
        );
      }
      await createAndAnswer(
        res,
        { name: body.name ?? template.title, definition },
        'journey.created',
      );
    },
  );

  router.post('/journeys/validate', requireRole('viewer', 'readOnly'), async (req, res) => {
    const body = parseOr400(JourneyValidateBody, req.body ?? {});
    res.json({ errors: await problemsOf(ctx, workspaceIdOf(res), body.definition) });
  });

  router.post('/journeys', requireRole('editor', { audits: 'journey' }), async (req, res) => {
    const body = parseOr400(JourneyCreateBody, req.body ?? {});
    await createAndAnswer(
      res,
      { name: body.name, definition: parseDefinition(body.definition) },
      'journey.created',
    );
  });

  router.post(
    '/journeys/import',
    requireRole('editor', { audits: 'journey' }),
    async (req, res) => {
      const body = parseOr400(JourneyImportBody, req.body ?? {});
      const definition = parseDefinition(body.definition);
      await createAndAnswer(
        res,
        { name: body.name ?? definition.name, definition },
        'journey.imported',
      );
    },
  );

  router.get('/journeys/:id', requireRole('viewer'), async (req, res) => {
    res.json(await detail(ctx, await journeyOr404(ctx, res, req.params.id)));
  });

  router.put('/journeys/:id', requireRole('editor', { audits: 'journey' }), async (req, res) => {
    const body = parseOr400(JourneyUpdateBody, req.body ?? {});
    const definition = parseDefinition(body.definition);
    const before = await findJourney(conn(), workspaceIdOf(res), req.params.id);
    const saved = await saveJourneyDraft(conn(), workspaceIdOf(res), req.params.id, {
      definition,
      ...(body.name ? { name: body.name } : {}),
    });
    if (saved === null)
      throw HttpProblem.notFound(`No journey "${req.params.id}" in this workspace.`);
    if (saved === 'archived')
      throw HttpProblem.conflict(
        'This journey is archived and can no longer be edited; import its export to start a new one.',
      );
    await audit(ctx, res, {
      action: 'journey.updated',
      resource: resourceOf(saved),
      before: before ? audited(before) : {},
      after: audited(saved),
    });
    res.json(await detail(ctx, saved));
  });

  // What the publish dialog asks about: for a segment-entry draft, how many contacts are in the segment now
  // (counted, not the segment's running figure, so the number shown is the number enrolled).
  router.get('/journeys/:id/publish-preview', requireRole('viewer'), async (req, res) => {
    const journey = await journeyOr404(ctx, res, req.params.id);
    const entry = journey.draft.nodes?.find((n) => n.kind === 'trigger');
    if (entry?.kind !== 'trigger' || entry.trigger.type !== 'segmentEntered')
      return void res.json({ enrollExisting: { applies: false } });
    const { segmentId } = entry.trigger;
    const [count, names] = await Promise.all([
      countSegmentMembers(conn(), journey.workspaceId, segmentId),
      segmentNames(conn(), journey.workspaceId, [segmentId]),
    ]);
    res.json({
      enrollExisting: {
        applies: true,
        default: false,
        segmentId,
        segmentName: names.get(segmentId) ?? segmentId,
        members: count,
      },
    });
  });

  router.post(
    '/journeys/:id/publish',
    requireRole('publisher', { audits: 'journey' }),
    async (req, res) => {
      const workspaceId = workspaceIdOf(res);
      const body = parseOr400(JourneyPublishBody, req.body ?? {});
      const before = await findJourney(conn(), workspaceId, req.params.id);
      const entry = before?.draft.nodes?.find((n) => n.kind === 'trigger');
      const segmentId =
        entry?.kind === 'trigger' && entry.trigger.type === 'segmentEntered'
          ? entry.trigger.segmentId
          : undefined;
      if (body.enrollExisting && before) {
        if (segmentId === undefined) {
          throw HttpProblem.badRequest(
            'enrollExisting: applies only to a journey whose trigger is "segment entered"; leave it out for this one',
            [{ path: 'enrollExisting', message: 'needs a segment-entry trigger' }],
          );
        }
        if (before.status === 'paused') {
          throw HttpProblem.conflict(
            'enrollExisting: the journey is paused, so nobody can enter it; resume it, then publish with enrollExisting',
          );
        }
      }
      const outcome = await publishJourneyDraft(conn(), workspaceId, req.params.id, {
        check: (definition) => problemsOf(ctx, workspaceId, definition),
        publishedBy: principalOf(res).actor.id,
      });
      if (outcome === null)
        throw HttpProblem.notFound(`No journey "${req.params.id}" in this workspace.`);
      if (!outcome.ok && 'archived' in outcome)
        throw HttpProblem.conflict('This journey is archived; it cannot be published again.');
      if (!outcome.ok) {
        throw HttpProblem.unprocessable(
          `The journey cannot be published: ${outcome.problems.length} problem(s). ${outcome.problems[0]?.message ?? ''}`,
          outcome.problems.map((p) => ({
            path: p.path,
            message: p.message,
            ...(p.nodeId ? { nodeId: p.nodeId } : {}),
          })),
        );
      }
      const after = await findJourney(conn(), workspaceId, req.params.id);
      await audit(ctx, res, {
        action: 'journey.published',
        resource: after ? resourceOf(after) : { type: 'journey', id: req.params.id },
        before: {
          status: before?.status ?? null,
          publishedVersion: before?.publishedVersion ?? null,
        },
        after: {
          status: after?.status ?? 'published',
          publishedVersion: outcome.version,
          ...(body.enrollExisting ? { enrollExisting: true } : {}),
        },
      });
      if (!body.enrollExisting || segmentId === undefined)
        return void res.json({ version: outcome.version });
      // The dispatcher enrols them like new entrants (re-entry rules, enrolment limit, start pacing), for this journey only.
      const queued = await enqueueSegmentMembersForJourney(conn(), {
        workspaceId,
        segmentId,
        journeyId: req.params.id,
        at: Date.now(),
      });
      res.json({ version: outcome.version, existingMembers: { segmentId, queued } });
    },
  );

  const transition = (
    path: string,
    to: JourneyStatus,
    from: JourneyStatus[],
    control: JourneyControl,
    refusal: string,
  ) =>
    router.post(
      `/journeys/:id/${path}`,
      requireRole('publisher', { audits: 'journey' }),
      async (req, res) => {
        const workspaceId = workspaceIdOf(res);
        const before = await findJourney(conn(), workspaceId, req.params.id);
        const updated = await setJourneyStatus(conn(), workspaceId, req.params.id, to, from);
        if (updated === null)
          throw HttpProblem.notFound(`No journey "${req.params.id}" in this workspace.`);
        if (updated === 'conflict') throw HttpProblem.conflict(refusal);
        await audit(ctx, res, {
          action: `journey.${path}d`,
          resource: resourceOf(updated),
          before: { status: before?.status ?? null },
          after: { status: updated.status },
        });
        const signals = await signalRuns(ctx, workspaceId, req.params.id, control);
        res.json({ id: updated.journeyId, status: updated.status, ...signals });
      },
    );
  transition(
    'pause',
    'paused',
    ['published', 'paused'],
    'pause',
    'Only a published journey can be paused; publish it first.',
  );
  transition(
    'resume',
    'published',
    ['paused', 'published'],
    'resume',
    'Only a paused journey can be resumed.',
  );
  transition(
    'archive',
    'archived',
    ['draft', 'published', 'paused', 'archived'],
    'stop',
    'The journey cannot be archived.',
  );

  router.get('/journeys/:id/versions/:version', requireRole('viewer'), async (req, res) => {
    const journey = await journeyOr404(ctx, res, req.params.id);
    const version = Number(req.params.version);
    if (!Number.isInteger(version) || version < 1)
      throw HttpProblem.badRequest('version: must be a whole number ≥ 1, e.g. /versions/1', [
        { path: 'version', message: 'must be a whole number ≥ 1' },
      ]);
    const doc = await findJourneyVersion(conn(), journey.workspaceId, journey.journeyId, version);
    if (!doc)
      throw HttpProblem.notFound(
        `Journey "${journey.journeyId}" has no version ${version}; published versions are 1..${journey.publishedVersion ?? 0}.`,
      );
    res.json({ version: doc.version, publishedAt: doc.publishedAt, definition: doc.definition });
  });

  router.get('/journeys/:id/stats', requireRole('viewer'), async (req, res) => {
    const journey = await journeyOr404(ctx, res, req.params.id);
    const nodeIds = new Set(journey.draft.nodes?.map((n) => n.id) ?? []);
    if (journey.publishedVersion) {
      const published = await loadJourneyDefinition(
        conn(),
        journey.workspaceId,
        journey.journeyId,
        journey.publishedVersion,
      );
      for (const n of published?.nodes ?? []) nodeIds.add(n.id);
    }
    res.json(await journeyStats(conn(), journey.workspaceId, journey.journeyId, [...nodeIds]));
  });

  // Enrolling a contact by hand starts sending, so it is a go-live action.
  router.post(
    '/journeys/:id/enroll',
    requireRole('publisher', { audits: 'journey' }),
    async (req, res) => {
      const workspaceId = workspaceIdOf(res);
      const body = parseOr400(JourneyEnrollBody, req.body ?? {});
      const [journey, exists] = await Promise.all([
        journeyOr404(ctx, res, req.params.id),
        contactExists(conn(), workspaceId, body.contactId),
      ]);
      if (!exists) throw HttpProblem.notFound(`No contact "${body.contactId}" in this workspace.`);
      const now = new Date();
      // The request id names the cause: a retried request (same X-Request-Id) does not enrol twice.
      const cause = `manual:${String((req as { id?: unknown }).id ?? now.getTime())}`;
      let result;
      try {
        // The same path as the worker's dispatcher; the journey just read spares the reservation a read.
        result = await enrollInJourney(
          {
            client: ctx.temporal.client,
            taskQueue: ctx.temporal.taskQueue,
            reserve: (reservation) =>
              reserveEnrollmentSparingRead(conn(), { ...reservation, journey }),
            besideStart: () =>
              audit(ctx, res, {
                action: 'journey.contactEnrolled',
                resource: resourceOf(journey),
                changes: [{ path: 'contactId', before: null, after: body.contactId }],
              }),
          },
          {
            workspaceId,
            journeyId: journey.journeyId,
            contactId: body.contactId,
            entry: { kind: 'manual', at: now.toISOString() },
            enrolledBy: cause,
            now,
          },
        );
      } catch (error) {
        if (!(error instanceof JourneyStartFailed)) throw error;
        ctx.logger.warn({ err: error.cause }, 'manual enrolment: workflow start failed');
        throw HttpProblem.unavailable(
          'Temporal is unreachable: the enrolment is reserved but not started. Retry the request with the same X-Request-Id.',
        );
      }
      if (!('enrolled' in result)) {
        const why: Record<string, string> = {
          notPublished: 'The journey is not published (or is paused); publish or resume it first.',
          alreadyInJourney: 'The contact is already in this journey.',
          reentryNever:
            'The journey’s re-entry rule is "never" and the contact has been through it.',
          cooldown:
            'The contact finished this journey recently; the re-entry cooldown has not passed.',
          limitReached: 'The journey’s enrolment limit is reached.',
          entryNotStarted:
            'The journey’s entry start date has not come yet (settings.entryStartsAt); contacts enter from then on.',
          entryEnded:
            'The journey’s entry end date has passed (settings.entryEndsAt): it lets no new contact in; runs in progress carry on.',
          raced: 'The contact was enrolled by something else at the same moment.',
          notFound: 'The journey no longer exists.',
        };
        throw new HttpProblem(409, 'Conflict', why[result.reason] ?? result.reason, [
          { path: 'contactId', message: result.reason },
        ]);
      }
      res.status(202).json({ workflowId: result.workflowId, version: result.version });
    },
  );

  router.get('/journeys/:id/export', requireRole('viewer'), async (req, res) => {
    const journey = await journeyOr404(ctx, res, req.params.id);
    res
      .attachment(`${journey.journeyId}.journey.json`)
      .type('application/json')
      .send(
        JSON.stringify(
          {
            format: JOURNEY_EXPORT_FORMAT,
            name: journey.name,
            definition: journey.draft,
            exportedAt: new Date().toISOString(),
          },
          null,
          2,
        ),
      );
  });

  return router;
}
