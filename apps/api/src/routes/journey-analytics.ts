import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { stringify } from 'csv-stringify';
import type { z } from 'zod';
import { nodesInFlowOrder, type JourneyDefinition } from '@cairn/core';
import {
  daysBetween,
  journeyFunnelCounts,
  journeyRuns,
  loadJourneyDefinition,
  type JourneyRunRow,
} from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole } from '../http/auth.js';
import { HttpProblem, parseOr400 } from '../http/problem.js';
import { journeyOr404 } from './journeys.js';
import { JourneyFunnelQuery, JourneyRunsExportQuery } from '@cairn/contract';

const MAX_FUNNEL_DAYS = 400;
const DEFAULT_FUNNEL_DAYS = 30;

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The period a funnel covers; a reversed or over-long period names the field to change. */
function funnelPeriod(query: z.output<typeof JourneyFunnelQuery>, now = Date.now()) {
  const to = query.to ?? (query.from ? dayOf(Math.max(now, Date.parse(query.from))) : dayOf(now));
  const from = query.from ?? dayOf(Date.parse(to) - (DEFAULT_FUNNEL_DAYS - 1) * DAY_MS);
  if (from > to)
    throw HttpProblem.badRequest(`from: ${from} is after to (${to}); swap them.`, [
      { path: 'from', message: `must be on or before to (${to})` },
    ]);
  if (daysBetween(from, to).length > MAX_FUNNEL_DAYS) {
    const earliest = dayOf(Date.parse(to) - (MAX_FUNNEL_DAYS - 1) * DAY_MS);
    throw HttpProblem.badRequest(`from: a period spans at most ${MAX_FUNNEL_DAYS} days.`, [
      {
        path: 'from',
        message: `must be on or after ${earliest}: a period spans at most ${MAX_FUNNEL_DAYS} days`,
      },
    ]);
  }
  return { from, to };
}

/** One CSV line per run; the column names are the header. */
const RUN_COLUMNS = [
  'contactId',
  'status',
  'currentNode',
  'enteredAt',
  'finishedAt',
  'exitReason',
  'detail',
  'key',
  'version',
] as const;

function runLine(run: JourneyRunRow): string[] {
  return [
    run.contactId,
    run.status,
    run.nodeId ?? '',
    run.enteredAt,
    run.exitedAt ?? '',
    run.exitReason ?? '',
    run.detail ?? '',
    run.key ?? '',
    String(run.version),
  ];
}

/** `/journeys/:id/funnel` and `/journeys/:id/runs.csv`: what happened in a journey, read and exported. */
export function journeyAnalyticsRoutes(ctx: ApiContext): Router {
  const router = Router();
  const conn = () => ctx.db.connection;

  router.get('/journeys/:id/funnel', requireRole('viewer'), async (req, res) => {
    const period = funnelPeriod(parseOr400(JourneyFunnelQuery, req.query, 'query string'));
    const journey = await journeyOr404(ctx, res, req.params.id);
    // Runs follow the published graph; a journey never published is read in its draft's order.
    const definition: JourneyDefinition =
      (journey.publishedVersion
        ? await loadJourneyDefinition(
            conn(),
            journey.workspaceId,
            journey.journeyId,
            journey.publishedVersion,
          )
        : null) ?? journey.draft;
    const counts = await journeyFunnelCounts(
      conn(),
      journey.workspaceId,
      journey.journeyId,
      period,
    );
    const byId = new Map(definition.nodes.map((n) => [n.id, n]));
    const order = nodesInFlowOrder(definition);
    // Steps of earlier versions that contacts reached in the period come last, marked as gone.
    const gone = Object.keys(counts.reached).filter((id) => !byId.has(id));
    res.json({
      journeyId: journey.journeyId,
      ...(journey.publishedVersion ? { version: journey.publishedVersion } : {}),
      ...period,
      timeZone: 'UTC',
      entered: counts.entered,
      heldOut: counts.heldOut,
      converted: counts.converted,
      steps: [
        ...order.map((nodeId) => {
          const node = byId.get(nodeId);
          return {
            nodeId,
            kind: node?.kind,
            ...(node?.label ? { label: node.label } : {}),
            reached: counts.reached[nodeId] ?? 0,
          };
        }),
        ...gone.map((nodeId) => ({ nodeId, reached: counts.reached[nodeId] ?? 0, removed: true })),
      ],
      exits: Object.entries(counts.exits)
        .filter(([, runs]) => runs > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([reason, runs]) => ({ reason, runs })),
      days: counts.days,
    });
  });

  router.get('/journeys/:id/runs.csv', requireRole('viewer'), async (req, res) => {
    const query = parseOr400(JourneyRunsExportQuery, req.query, 'query string');
    const journey = await journeyOr404(ctx, res, req.params.id);
    const runs = journeyRuns(conn(), journey.workspaceId, journey.journeyId, query);
    // The first read happens before the headers go out, so a database outage still answers a problem.
    const first = await runs.next();
    res.status(200);
    res.type('text/csv; charset=utf-8');
    res.attachment(`${journey.journeyId}-runs.csv`);
    async function* lines() {
      if (!first.done) yield runLine(first.value);
      for await (const run of runs) yield runLine(run);
    }
    await pipeline(
      Readable.from(lines()),
      stringify({ header: true, columns: [...RUN_COLUMNS] }),
      res,
    );
  });

  return router;
}
