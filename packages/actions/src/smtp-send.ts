// One SMTP delivery with a commit point just before the end of the DATA phase: the body is fully in the
// kernel's socket buffer, only the terminating "." is missing, so the server has not taken the message yet.
// The caller stores "sent" there; only then is the terminator written. A kill before the terminator leaves
// the server with an unfinished message, which it discards when the connection closes.
import { PassThrough } from 'node:stream';
import type { Socket } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface SmtpTarget {
  host: string;
  port: number;
  secure?: boolean;
  auth?: { user: string; pass: string };
  ignoreTLS?: boolean;
}

export interface CommittedSendInput {
  envelope: { from: string; to: string[] };
  /** The whole RFC 5322 message (headers and body), without SMTP dot-stuffing. */
  raw: Buffer;
  /**
   * Runs once every byte of `raw` has been handed to the kernel and before the terminator is written.
   * If it throws, the connection is dropped without the terminator: the server never takes the message.
   */
  beforeTerminator: () => Promise<void>;
}

/** Why a committed send failed; `committed` says whether `beforeTerminator` had completed. */
export class SmtpSendError extends Error {
  constructor(
    message: string,
    readonly committed: boolean,
    readonly responseCode: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SmtpSendError';
  }
}

/** Internals of SMTPConnection we rely on: the socket and the dot-stuffing stream piped into it. */
interface ConnectionInternals {
  _socket?: Socket | false | null;
  _currentDataStream?: (PassThrough & { inByteCount: number }) | false;
}

const POLL_MS = 2;
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export async function sendWithCommitPoint(target: SmtpTarget, input: CommittedSendInput): Promise<{ response: string }> {
  const connection = new SMTPConnection({
    host: target.host,
    port: target.port,
    secure: target.secure ?? false,
    ignoreTLS: target.ignoreTLS ?? false,
    ...TIMEOUTS,
  });
  const internals = connection as unknown as ConnectionInternals;
  let committed = false;
  let settled = false;
  let fail: (error: unknown) => void = () => undefined;
  // A dropped connection or a socket error can arrive at any stage; it fails whatever is waiting.
  const dropped = new Promise<never>((_resolve, reject) => {
    fail = (error) => {
      if (!settled) reject(error);
    };
  });
  dropped.catch(() => undefined);
  connection.on('error', (error) => fail(error));
  connection.on('end', () => fail(new Error('SMTP connection closed before the server answered')));

  const step = <T>(run: (done: (error: Error | null, value?: T) => void) => void): Promise<T> =>
    Promise.race([
      new Promise<T>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T)))),
      dropped,
    ]);

  const source = new PassThrough();
  try {
    await step<void>((done) => connection.connect(() => done(null)));
    if (target.auth) {
      const auth = target.auth;
      await step<void>((done) => connection.login({ user: auth.user, pass: auth.pass }, (error) => done(error ?? null)));
    }
    // The body waits in `source` until the server has answered DATA; the terminator follows source.end().
    source.write(input.raw);
    const accepted = step<{ response: string }>((done) =>
      connection.send(input.envelope, source, (error, info) => done(error ?? null, { response: info?.response ?? '' })),
    );
    accepted.catch(() => undefined);

    // A refusal of the envelope or of DATA rejects `accepted` first: nothing was taken, nothing stored.
    await Promise.race([waitUntilFlushed(internals, input.raw.length, () => settled), accepted.then(() => undefined), dropped]);
    await input.beforeTerminator();
    committed = true;
    source.end();
    return await accepted;
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode;
    throw new SmtpSendError((error as Error).message, committed, typeof code === 'number' ? code : undefined, { cause: error });
  } finally {
    settled = true;
    if (committed) {
      try {
        connection.quit();
      } catch {
        connection.close();
      }
    } else {
      // Dropping the connection before the terminator makes the server discard the partial message.
      connection.close();
    }
  }
}

/**
 * Resolves once `bytes` bytes of message went through the dot-stuffing stream into the socket and the
 * socket's user-space buffer is empty: every write of it completed, so the kernel holds the data and a
 * SIGKILL from here on still delivers it (the kernel flushes a closed socket's buffer before its FIN).
 */
function waitUntilFlushed(internals: ConnectionInternals, bytes: number, abandoned: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (abandoned()) return;
      const data = internals._currentDataStream;
      const socket = internals._socket;
      if (
        data &&
        socket &&
        data.inByteCount >= bytes &&
        data.readableLength === 0 &&
        data.writableLength === 0 &&
        socket.writableLength === 0 &&
        !socket.writableNeedDrain
      ) {
        resolve();
        return;
      }
      setTimeout(check, POLL_MS);
    };
    check();
  });
}
