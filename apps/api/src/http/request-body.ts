import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Request } from 'express';
import { HttpProblem } from './problem.js';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** The Content-Encoding a request declares, lower-cased; `identity` when none. */
export function contentEncodingOf(req: Request): string {
  const header = req.headers['content-encoding'];
  return (typeof header === 'string' ? header.trim() : 'identity').toLowerCase() || 'identity';
}

/**
 * The request body, decompressed as its Content-Encoding says. Errors are kept for the reader (a stream's
 * async iterator rethrows them): an 'error' event with no listener, e.g. gzip cut short while the route
 * awaits something else, would otherwise stop the process. pipeline() is no help here: it reports success
 * once the decoder's writable side finishes and then drops its listeners, before the decoder's last error.
 */
export function decodedBody(req: Request): Readable {
  const encoding = contentEncodingOf(req);
  const decoder = encoding === 'identity' ? undefined : DECODERS[encoding];
  if (encoding !== 'identity' && !decoder) {
    throw new HttpProblem(
      415,
      'Unsupported Media Type',
      `Content-Encoding '${encoding}' is not supported; use gzip, deflate, br or none.`,
      [
        {
          path: 'Content-Encoding',
          message: `'${encoding}' is not supported; expected gzip, deflate, br or identity`,
        },
      ],
    );
  }
  req.on('error', () => undefined);
  if (!decoder) return req;
  return joined(req, decoder(), () => !req.complete);
}

/** Joins a parser onto a body stream so that the parser's reader also sees the body's errors. */
export function throughParser<T extends Transform>(body: Readable, parser: T): T {
  return joined(body, parser, () => !body.readableEnded);
}

function joined<T extends Transform>(from: Readable, to: T, cutShort: () => boolean): T {
  to.on('error', () => undefined);
  // `from` may have failed before the join (the route awaited something first): its events are gone.
  if (from.destroyed) {
    to.destroy(from.errored ?? cutOff());
    return to;
  }
  from.on('error', (error) => to.destroy(error));
  // A client that hangs up mid-body ends `from` without an error; the reader must not wait forever.
  from.on('close', () => {
    if (cutShort() && !to.destroyed) to.destroy(cutOff());
  });
  from.pipe(to);
  return to;
}

const cutOff = () =>
  Object.assign(new Error('the client closed the connection before the body was complete'), {
    code: 'ECONNRESET',
  });
