import express, { Router, type Request } from 'express';
import { normalizeEvent, validateBatchPayload, type CairnEvent } from '@cairn/core';
import type { ApiContext } from '../context.js';
import { requireKey, workspaceIdOf } from '../http/auth.js';
import { HttpProblem } from '../http/problem.js';
import { debuggerWatch, refusalOf } from '../http/debugger-watch.js';

/** Segment's documented limits: 32 KB per call, 500 KB per batch. */
export const INGEST_LIMITS = {
  eventBytes: 32 * 1024,
  batchBytes: 500 * 1024,
  batchEvents: 2500,
} as const;

const SINGLE_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;

/**
 * The body is JSON whatever Content-Type says, as on Segment's own API: browser beacons send text/plain,
 * and RudderStack's Node SDK posts gzip JSON as application/x-www-form-urlencoded (axios's default).
 * Compressed bodies (gzip, deflate, br) are inflated.
 */
const anyType = () => true;

function bodyObject(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch (error) {
      const message = (error as Error).message;
      throw HttpProblem.badRequest(`The body is not valid JSON: ${message}.`, [
        { path: '(body)', message: `not valid JSON: ${message}` },
      ]);
    }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw HttpProblem.badRequest('The body must be a JSON object.', [
      { path: '(body)', message: 'expected a JSON object' },
    ]);
  }
  return body as Record<string, unknown>;
}

/**
 * `?wait=folded` holds the answer until the request's events are folded into their profiles (and segments
 * re-evaluated), for a caller that reads the profile right after sending; without it the answer comes as
 * soon as the events are durably appended.
 */
function waitsForFold(req: Request): boolean {
  const wait = req.query.wait;
  if (wait === undefined) return false;
  if (wait === 'folded') return true;
  throw HttpProblem.badRequest("The query parameter 'wait' takes only 'folded'.", [
    { path: 'query.wait', message: "expected 'folded' or no value" },
  ]);
}

/**
 * Segment-compatible HTTP Tracking API: same paths, payloads and Basic-auth write key, so Segment or
 * RudderStack libraries only need their host changed. The 200 is sent once the events are durably in the
 * event log; folding them into profiles runs behind it (ctx.ingestion.folds), and its lag is in /readyz.
 */
export function ingestRoutes(ctx: ApiContext): Router {
  const router = Router();
  const single = express.json({ limit: INGEST_LIMITS.eventBytes, type: anyType, strict: false });
  const batch = express.json({ limit: INGEST_LIMITS.batchBytes, type: anyType, strict: false });
  const writeKey = requireKey(ctx, 'write');
  const debug = debuggerWatch(ctx);

  for (const type of SINGLE_TYPES) {
    router.post(`/v1/${type}`, debug.watch, single, writeKey, async (req, res) => {
      const receivedAt = Date.now();
      const raw = { ...bodyObject(req), type };
      const result = normalizeEvent(raw, { receivedAt, now: receivedAt });
      if (!result.ok) {
        throw HttpProblem.badRequest(
          `The ${type} call is invalid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
          result.errors,
        );
      }
      const workspaceId = workspaceIdOf(res);
      await ctx.ingestion.accept(workspaceId, [result.event], {
        now: receivedAt,
        waitForFold: waitsForFold(req),
      });
      debug.accepted(workspaceId, [result.event]);
      res.json({ success: true });
    });
  }

  router.post('/v1/batch', debug.watch, batch, writeKey, async (req, res) => {
    const receivedAt = Date.now();
    const body = bodyObject(req);
    if (Array.isArray(body.batch) && body.batch.length > INGEST_LIMITS.batchEvents) {
      throw new HttpProblem(
        413,
        'Content Too Large',
        `A batch holds at most ${INGEST_LIMITS.batchEvents} events; this one has ${body.batch.length}. Split it.`,
      );
    }
    const validated = validateBatchPayload(body, { receivedAt, now: receivedAt });
    if (!validated.ok) {
      throw HttpProblem.badRequest(
        `The batch is invalid: ${validated.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        validated.errors,
      );
    }
    const good: CairnEvent[] = [];
    const rejected: { index: number; errors: { path: string; message: string }[] }[] = [];
    for (const item of validated.results) {
      if ('event' in item) good.push(item.event);
      else
        rejected.push({
          index: item.index,
          errors: item.errors.map((e) => ({
            path: `batch[${item.index}]${e.path ? (e.path.startsWith('[') ? '' : '.') + e.path : ''}`,
            message: e.message,
          })),
        });
    }
    if (good.length === 0 && rejected.length > 0) {
      throw HttpProblem.badRequest(
        `No event in the batch is valid; fix the fields listed in errors (first: ${rejected[0]?.errors[0]?.path}: ${rejected[0]?.errors[0]?.message}).`,
        rejected.flatMap((r) => r.errors),
      );
    }
    const workspaceId = workspaceIdOf(res);
    const stored = await ctx.ingestion.accept(workspaceId, good, {
      now: receivedAt,
      waitForFold: waitsForFold(req),
    });
    debug.accepted(workspaceId, good);
    const items = Array.isArray(body.batch) ? (body.batch as unknown[]) : [];
    // The batch was answered 200, but each event it left out is a refusal the developer needs to see.
    debug.refused(
      workspaceId,
      rejected.map((r) =>
        refusalOf(
          req,
          200,
          `Event batch[${r.index}] refused`,
          r.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
          r.errors,
          items[r.index],
        ),
      ),
    );
    res.json({ success: true, accepted: good.length, duplicates: stored.duplicates, rejected });
  });
  return router;
}
