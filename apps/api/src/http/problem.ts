import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { isTransientStorageError } from '@cairn/db';
import { z } from 'zod';
import { UnstorableValueError } from '@cairn/db';

export interface FieldError {
  path: string;
  message: string;
}

/** An error the API turns into an RFC 9457 `application/problem+json` answer. */
export class HttpProblem extends Error {
  constructor(
    public readonly status: number,
    public readonly title: string,
    public readonly detail?: string,
    public readonly errors?: FieldError[],
    public readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }

  static badRequest(detail: string, errors?: FieldError[]) {
    return new HttpProblem(400, 'Bad Request', detail, errors);
  }
  static unauthorized(detail: string) {
    return new HttpProblem(401, 'Unauthorized', detail, undefined, {
      'WWW-Authenticate': 'Basic realm="cairn", Bearer',
    });
  }
  static forbidden(detail: string) {
    return new HttpProblem(403, 'Forbidden', detail);
  }
  static notFound(detail: string) {
    return new HttpProblem(404, 'Not Found', detail);
  }
  static conflict(detail: string) {
    return new HttpProblem(409, 'Conflict', detail);
  }
  static unprocessable(detail: string, errors?: FieldError[]) {
    return new HttpProblem(422, 'Unprocessable Content', detail, errors);
  }
  static unavailable(detail: string, retryAfterSeconds = 5) {
    return new HttpProblem(503, 'Service Unavailable', detail, undefined, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

/** `a.b[2].c` from a zod path, the form every Cairn error uses to name a field. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

export function zodFieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path, prefix),
    message: issue.message,
  }));
}

/** Parses `value` with `schema` or throws a 400 that lists every offending field. */
export function parseOr400<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what = 'request body',
  prefix = '',
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = zodFieldErrors(parsed.error, prefix);
  throw HttpProblem.badRequest(
    `The ${what} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    errors,
  );
}

export function sendProblem(res: Response, problem: HttpProblem, instance?: string) {
  // A watched route (the /v1 calls, for the event debugger) sees every refusal it answers.
  const hook: unknown = res.locals.onProblem;
  if (typeof hook === 'function') {
    try {
      (hook as (p: HttpProblem) => void)(problem);
    } catch {
      // The debugger never changes the answer.
    }
  }
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: 'about:blank',
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        instance,
        ...(problem.errors ? { errors: problem.errors } : {}),
      }),
    );
}

/** True for an error thrown by a zlib/brotli decoder (Node sets a numeric errno and a Z_ or ERR_ code). */
export function isDecompressionError(error: unknown): error is Error & { code: string } {
  if (!error || typeof error !== 'object') return false;
  const { errno, code } = error as { errno?: unknown; code?: unknown };
  return typeof errno === 'number' && typeof code === 'string' && /^(Z_|ERR_)/.test(code);
}

/** The 400 for a body that does not decode in the encoding it declares. */
export function decodeProblem(encoding: string, message: string): HttpProblem {
  return HttpProblem.badRequest(
    `The body is not valid ${encoding} (${message}); it may have been cut short in transit. Send it again whole, or without Content-Encoding.`,
    [{ path: '(body)', message: `not valid ${encoding}: ${message}` }],
  );
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

const UNAVAILABLE_NAMES =
  /MongoServerSelectionError|MongoNetworkError|MongoNotConnectedError|MongoTopologyClosedError|MongoNetworkTimeoutError|MongoPoolClearedError|MongoServerClosedError/;
const UNAVAILABLE_MESSAGES =
  /ECONNREFUSED|ECONNRESET|EPIPE|connection .* closed|buffering timed out|Client must be connected/i;

/**
 * True for "the database is not there" however the driver or mongoose phrased it: a bulk insert wraps
 * the network error (MongoBulkWriteError), mongoose's buffering times out with a plain MongooseError.
 */
function isMongoUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  const {
    name = '',
    message = '',
    cause,
  } = error as { name?: string; message?: string; cause?: unknown };
  if (UNAVAILABLE_NAMES.test(name)) return true;
  if (/^Mongo|MongooseError/.test(name) && UNAVAILABLE_MESSAGES.test(message)) return true;
  return isMongoUnavailable(cause, depth + 1);
}

/** A storage engine's "busy, retry shortly" (its adapter in @cairn/db knows which errors): an overload, not a bug. */
const isDatabaseBusy = (error: unknown) => isTransientStorageError(error);

/** The single error middleware: every failure leaves as problem+json, and no stack trace leaks. */
export const problemHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const instance = (req as { id?: unknown }).id
    ? `urn:request:${String((req as { id?: unknown }).id)}`
    : undefined;
  if (res.headersSent) return;
  if (error instanceof HttpProblem) return sendProblem(res, error, instance);
  if (error instanceof z.ZodError)
    return sendProblem(
      res,
      HttpProblem.badRequest('The request is invalid.', zodFieldErrors(error)),
      instance,
    );
  const bodyError = error as BodyParserError;
  if (bodyError.type === 'entity.parse.failed') {
    return sendProblem(
      res,
      HttpProblem.badRequest(
        `The body is not valid JSON: ${bodyError.message}. Send a JSON object with Content-Type: application/json.`,
        [{ path: '(body)', message: `not valid JSON: ${bodyError.message}` }],
      ),
      instance,
    );
  }
  if (bodyError.type === 'entity.too.large') {
    return sendProblem(
      res,
      new HttpProblem(
        413,
        'Content Too Large',
        `The body exceeds the ${bodyError.limit ?? ''} byte limit. Split it into smaller requests (e.g. batches of at most 500 events).`,
      ),
      instance,
    );
  }
  if (bodyError.type === 'encoding.unsupported') {
    return sendProblem(
      res,
      new HttpProblem(
        415,
        'Unsupported Media Type',
        `${bodyError.message}. Use gzip, deflate, br or identity.`,
        [{ path: 'Content-Encoding', message: 'expected gzip, deflate, br or identity' }],
      ),
      instance,
    );
  }
  if (bodyError.type === 'charset.unsupported') {
    return sendProblem(
      res,
      new HttpProblem(
        415,
        'Unsupported Media Type',
        `${bodyError.message}. Send the body as UTF-8.`,
        [{ path: 'Content-Type', message: 'expected charset=utf-8' }],
      ),
      instance,
    );
  }
  if (isDecompressionError(error)) {
    const header = req.headers['content-encoding'];
    return sendProblem(
      res,
      decodeProblem(
        typeof header === 'string' ? header.trim().toLowerCase() : 'compressed',
        error.message,
      ),
      instance,
    );
  }
  if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    // Body-parser's other refusals (a body shorter than its Content-Length, a hang-up) are about the body.
    return sendProblem(
      res,
      new HttpProblem(bodyError.status, 'Bad Request', bodyError.message, [
        { path: '(body)', message: bodyError.message },
      ]),
      instance,
    );
  }
  if (error instanceof UnstorableValueError) {
    // A value the database cannot hold is the document's fault, not the database's: never a 503.
    return sendProblem(
      res,
      HttpProblem.unprocessable(
        `The request holds a value that cannot be stored: ${error.message}.`,
        [
          {
            path: error.field,
            message: `${String(error.value)} cannot be stored; send a finite number`,
          },
        ],
      ),
      instance,
    );
  }
  if (isDatabaseBusy(error)) {
    // Events stored before the write that hit the lock keep their pending-fold markers: the worker
    // folds them, and a retry of the same messageIds counts each once.
    return sendProblem(
      res,
      HttpProblem.unavailable(
        'The database is busy (its write lock timed out); retry this request shortly with the same messageIds.',
        2,
      ),
      instance,
    );
  }
  if (isMongoUnavailable(error)) {
    return sendProblem(
      res,
      HttpProblem.unavailable('The database is unreachable; nothing was written. Retry shortly.'),
      instance,
    );
  }
  (req as { log?: { error: (o: unknown, m: string) => void } }).log?.error(
    { err: error },
    'unhandled error',
  );
  return sendProblem(
    res,
    new HttpProblem(
      500,
      'Internal Server Error',
      'An unexpected error occurred; it has been logged.',
    ),
    instance,
  );
};

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(
    HttpProblem.notFound(`No route for ${req.method} ${req.path}. See /openapi.json for the API.`),
  );
};
