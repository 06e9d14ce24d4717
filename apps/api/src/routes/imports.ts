import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Router } from 'express';
import { ImportQuery } from '@cairn/contract';
import { parse } from 'csv-parse';
import { normalizeEvent, type CairnEvent } from '@cairn/core';
import { combineStored, type StoredEvents } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { requireRole, workspaceIdOf } from '../http/auth.js';
import { audit } from '../http/audit.js';
import { decodeProblem, HttpProblem, isDecompressionError, parseOr400 } from '../http/problem.js';
import { contentEncodingOf, decodedBody, throughParser } from '../http/request-body.js';

const CHUNK = 500;
/** Events stored before they are folded together (bounds the memory an import holds). */
const FOLD_WINDOW = 10_000;
/**
 * Rows are stored at once but folded when their window fills, which takes minutes on FerretDB; the
 * worker's pending-fold sweeper must not fold them meanwhile. If the API dies mid-import, the stored
 * rows are folded by the sweeper after this long (or at once by the client's retry of the file).
 */
const IMPORT_FOLD_WITHIN_MS = 15 * 60_000;
const MAX_REPORTED_ERRORS = 1000;

interface RowError {
  row: number;
  errors: { path: string; message: string }[];
}

function coerceCell(value: string): unknown {
  if (value === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** A CSV row to a Segment payload: `traits.x` and `properties.x` columns nest; no type means track if `event` is set. */
export function csvRowToPayload(row: Record<string, string>): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  const traits: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(row)) {
    const text = raw.trim();
    if (text === '') continue;
    // Identity and event columns stay text ("007" is an id, not 7); nested values get their JSON type.
    if (column.startsWith('traits.')) traits[column.slice(7)] = coerceCell(text);
    else if (column.startsWith('properties.')) properties[column.slice(11)] = coerceCell(text);
    else payload[column] = text;
  }
  if (Object.keys(traits).length) payload.traits = traits;
  if (Object.keys(properties).length) payload.properties = properties;
  payload.type ??= payload.event ? 'track' : 'identify';
  return payload;
}

/** One row may be at most this long; a longer line (a gzip bomb, a file without newlines) is skipped, not buffered. */
export const MAX_IMPORT_LINE_BYTES = 1024 * 1024;

/**
 * Splits a stream into lines without ever holding more than MAX_IMPORT_LINE_BYTES of one line:
 * the bytes of an over-long line are dropped as they arrive and the line is reported as too long.
 */
async function* boundedLines(
  stream: Readable,
): AsyncGenerator<{ line: string } | { tooLong: number }> {
  let parts: Buffer[] = [];
  let size = 0;
  let dropped = false;
  const finish = function* () {
    if (dropped) yield { tooLong: size };
    else yield { line: Buffer.concat(parts).toString('utf8').replace(/\r$/, '') };
    parts = [];
    size = 0;
    dropped = false;
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    let buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let newline = buffer.indexOf(10); newline !== -1; newline = buffer.indexOf(10)) {
      const head = buffer.subarray(0, newline);
      size += head.length;
      if (!dropped && size <= MAX_IMPORT_LINE_BYTES) parts.push(head);
      else dropped = true;
      yield* finish();
      buffer = buffer.subarray(newline + 1);
    }
    size += buffer.length;
    if (!dropped && size <= MAX_IMPORT_LINE_BYTES) parts.push(Buffer.from(buffer));
    else {
      dropped = true;
      parts = [];
    }
  }
  if (size > 0 || dropped) yield* finish();
}

async function* ndjsonRows(
  stream: Readable,
): AsyncGenerator<{ row: number; value: unknown } | { row: number; error: string }> {
  let row = 0;
  for await (const item of boundedLines(stream)) {
    row++;
    if ('tooLong' in item) {
      yield {
        row,
        error: `the line is longer than ${MAX_IMPORT_LINE_BYTES} bytes (${item.tooLong} bytes); one event per line, each at most 32 KB as on /v1`,
      };
      continue;
    }
    const line = item.line;
    if (!line.trim()) continue;
    try {
      yield { row, value: JSON.parse(line) };
    } catch (error) {
      yield { row, error: `not valid JSON: ${(error as Error).message}` };
    }
  }
}

async function* csvRows(
  stream: Readable,
): AsyncGenerator<{ row: number; value: unknown } | { row: number; error: string }> {
  // max_record_size stops csv-parse from buffering an endless field (a gzip bomb, an unclosed quote).
  const parser = throughParser(
    stream,
    parse({
      columns: true,
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
      max_record_size: MAX_IMPORT_LINE_BYTES,
    }),
  );
  let row = 1; // the header is row 1
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    row++;
    yield { row, value: csvRowToPayload(record) };
  }
}

/**
 * Bulk import of contacts and historical events, streamed: rows go through the same validation and the
 * same fold as live ingestion, so profiles come out identical. The answer streams NDJSON progress lines.
 */
export function importRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/imports', requireRole('editor', { audits: 'import' }), async (req, res) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const query = parseOr400(ImportQuery, req.query, 'query string');
    const startsJourneys = query.startJourneys === 'true';
    const format =
      query.format ??
      (type.includes('csv')
        ? 'csv'
        : type.includes('ndjson') || type.includes('jsonl')
          ? 'ndjson'
          : undefined);
    if (format !== 'csv' && format !== 'ndjson') {
      throw HttpProblem.badRequest(
        "Unknown import format: send Content-Type 'application/x-ndjson' (one Segment payload per line) or 'text/csv' (a header row; columns userId, anonymousId, type, event, timestamp, messageId, traits.*, properties.*), or add ?format=ndjson|csv.",
        [{ path: 'Content-Type', message: 'expected application/x-ndjson or text/csv' }],
      );
    }
    const workspaceId = workspaceIdOf(res);
    const importId = randomUUID();
    const body = decodedBody(req);
    const rows = format === 'csv' ? csvRows(body) : ndjsonRows(body);
    // Recorded as it starts: the answer streams, and the rows it stores are in the events themselves.
    await audit(ctx, res, {
      action: 'import.started',
      resource: { type: 'import', id: importId },
      changes: [{ path: 'format', before: null, after: format }],
    });
    res.status(200).type('application/x-ndjson');
    res.setHeader('X-Import-Id', importId);
    const errors: RowError[] = [];
    let processed = 0;
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    let folded = 0;
    let chunk: CairnEvent[] = [];
    // Stored chunk by chunk (durable at once), folded per window: a contact's events in a window fold in
    // one write, where chunk-by-chunk folding would rewrite its profile once per chunk.
    let window: StoredEvents | undefined;
    const foldWindow = async () => {
      if (!window) return;
      const foldedBefore = folded;
      // A progress line per page of contacts: a client never waits long in silence.
      const report = await ctx.ingestion.fold(window, {
        now: Date.now(),
        onProgress: (pageFolded) => {
          folded += pageFolded;
          res.write(
            JSON.stringify({
              type: 'progress',
              importId,
              processed,
              accepted,
              duplicates,
              rejected,
              folded,
            }) + '\n',
          );
        },
      });
      // Pages were counted as they went; the report holds the exact total.
      folded = foldedBefore + report.folded;
      window = undefined;
    };
    const flush = async () => {
      if (chunk.length === 0) return;
      const stored = await ctx.ingestion.append(workspaceId, chunk, {
        now: Date.now(),
        foldWithinMs: IMPORT_FOLD_WITHIN_MS,
      });
      accepted += stored.stored;
      duplicates += stored.duplicates;
      chunk = [];
      window = window ? combineStored(window, stored) : stored;
      if (window.events >= FOLD_WINDOW) await foldWindow();
      else
        res.write(
          JSON.stringify({
            type: 'progress',
            importId,
            processed,
            accepted,
            duplicates,
            rejected,
            folded,
          }) + '\n',
        );
    };
    try {
      for await (const item of rows) {
        processed++;
        if ('error' in item) {
          rejected++;
          if (errors.length < MAX_REPORTED_ERRORS)
            errors.push({ row: item.row, errors: [{ path: '(line)', message: item.error }] });
          continue;
        }
        const now = Date.now();
        const result = normalizeEvent(item.value, { receivedAt: now, now });
        if (!result.ok) {
          rejected++;
          if (errors.length < MAX_REPORTED_ERRORS)
            errors.push({ row: item.row, errors: result.errors });
          continue;
        }
        chunk.push({ ...result.event, startsJourneys });
        if (chunk.length >= CHUNK) await flush();
      }
      await flush();
      await foldWindow();
      res.end(
        JSON.stringify({
          type: 'done',
          importId,
          processed,
          accepted,
          duplicates,
          rejected,
          folded,
          errors,
        }) + '\n',
      );
    } catch (error) {
      const problem = isDecompressionError(error)
        ? decodeProblem(contentEncodingOf(req), error.message)
        : undefined;
      // Nothing sent yet (the body broke before the first chunk was stored): an ordinary problem answer.
      if (problem && !res.headersSent) throw problem;
      // Headers are gone: report in-band; rows before this point are stored and a re-run skips them.
      const detail = problem?.detail ?? (error as Error).message;
      const failedErrors = problem
        ? [...errors, { row: processed + 1, errors: problem.errors ?? [] }]
        : errors;
      if (!res.writableEnded && !res.destroyed)
        res.end(
          JSON.stringify({
            type: 'failed',
            importId,
            processed,
            accepted,
            duplicates,
            rejected,
            detail,
            errors: failedErrors,
          }) + '\n',
        );
    }
  });
  return router;
}
