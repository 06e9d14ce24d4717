import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Router, type Request } from 'express';
import { parse } from 'csv-parse';
import { normalizeEvent, type CairnEvent } from '@cairn/core';
import { ingestEvents } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { workspaceIdOf } from '../http/auth.js';
import { HttpProblem } from '../http/problem.js';

const CHUNK = 500;
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

async function* ndjsonRows(stream: Readable): AsyncGenerator<{ row: number; value: unknown } | { row: number; error: string }> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let row = 0;
  for await (const line of lines) {
    row++;
    if (!line.trim()) continue;
    try {
      yield { row, value: JSON.parse(line) };
    } catch (error) {
      yield { row, error: `not valid JSON: ${(error as Error).message}` };
    }
  }
}

async function* csvRows(stream: Readable): AsyncGenerator<{ row: number; value: unknown } | { row: number; error: string }> {
  const parser = stream.pipe(parse({ columns: true, skip_empty_lines: true, relax_column_count: true, bom: true }));
  let row = 1; // the header is row 1
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    row++;
    yield { row, value: csvRowToPayload(record) };
  }
}

function bodyStream(req: Request): Readable {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'gzip') return req.pipe(createGunzip());
  if (encoding !== 'identity') throw new HttpProblem(415, 'Unsupported Media Type', `Content-Encoding '${encoding}' is not supported; use gzip or none.`);
  return req;
}

/**
 * Bulk import of contacts and historical events, streamed: rows go through the same validation and the
 * same fold as live ingestion, so profiles come out identical. The answer streams NDJSON progress lines.
 */
export function importRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/imports', async (req, res) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const format = req.query.format ?? (type.includes('csv') ? 'csv' : type.includes('ndjson') || type.includes('jsonl') ? 'ndjson' : undefined);
    if (format !== 'csv' && format !== 'ndjson') {
      throw HttpProblem.badRequest(
        "Unknown import format: send Content-Type 'application/x-ndjson' (one Segment payload per line) or 'text/csv' (a header row; columns userId, anonymousId, type, event, timestamp, messageId, traits.*, properties.*), or add ?format=ndjson|csv.",
        [{ path: 'Content-Type', message: 'expected application/x-ndjson or text/csv' }],
      );
    }
    const workspaceId = workspaceIdOf(res);
    const importId = randomUUID();
    const rows = format === 'csv' ? csvRows(bodyStream(req)) : ndjsonRows(bodyStream(req));
    res.status(200).type('application/x-ndjson');
    res.setHeader('X-Import-Id', importId);
    const errors: RowError[] = [];
    let processed = 0;
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    let chunk: CairnEvent[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const report = await ingestEvents(ctx.db.connection, workspaceId, chunk, { now: Date.now() });
      accepted += report.stored;
      duplicates += report.duplicates;
      chunk = [];
      res.write(JSON.stringify({ type: 'progress', importId, processed, accepted, duplicates, rejected }) + '\n');
    };
    try {
      for await (const item of rows) {
        processed++;
        if ('error' in item) {
          rejected++;
          if (errors.length < MAX_REPORTED_ERRORS) errors.push({ row: item.row, errors: [{ path: '(line)', message: item.error }] });
          continue;
        }
        const now = Date.now();
        const result = normalizeEvent(item.value, { receivedAt: now, now });
        if (!result.ok) {
          rejected++;
          if (errors.length < MAX_REPORTED_ERRORS) errors.push({ row: item.row, errors: result.errors });
          continue;
        }
        chunk.push(result.event);
        if (chunk.length >= CHUNK) await flush();
      }
      await flush();
      res.end(JSON.stringify({ type: 'done', importId, processed, accepted, duplicates, rejected, errors }) + '\n');
    } catch (error) {
      // Headers are gone: report in-band; rows before this point are stored and a re-run skips them.
      res.end(JSON.stringify({ type: 'failed', importId, processed, accepted, duplicates, rejected, detail: (error as Error).message, errors }) + '\n');
    }
  });
  return router;
}
