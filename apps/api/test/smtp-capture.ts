import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedEmail {
  to: string;
  subject: string;
  /** The From header as sent, e.g. `Acme <hello@acme.test>`. */
  from: string;
  /** Everything after the headers, quoted-printable soft breaks and escapes undone (all parts together). */
  body: string;
}

/** A real SMTP server in the test process: the worker's email@1 sends to it, and the test reads what arrived. */
export async function startSmtpCapture(
  options: { refuse?: (recipient: string) => boolean } = {},
): Promise<{
  port: number;
  received: CapturedEmail[];
  close(): Promise<void>;
}> {
  const received: CapturedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Answers 550 to the recipients a test wants refused, as a real server does for an unknown mailbox.
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address.toLowerCase()))
        return callback(
          Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), {
            responseCode: 550,
          }),
        );
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
        const body = decodeQuotedPrintable(raw.slice(head.length));
        const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
        const subject = /^Subject:\s*(.*)$/im.exec(unfolded)?.[1] ?? '';
        const from = /^From:\s*(.*)$/im.exec(unfolded)?.[1] ?? '';
        for (const rcpt of session.envelope.rcptTo)
          received.push({
            to: rcpt.address.toLowerCase(),
            subject: decodeSubject(subject.trim()),
            from: from.trim(),
            body,
          });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Soft line breaks and =XX escapes, as nodemailer writes HTML and text parts (ASCII is all tests need). */
function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Subjects with non-ASCII characters arrive as RFC 2047 encoded words. */
function decodeSubject(subject: string): string {
  return subject
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_whole, encoding: string, text: string) =>
      encoding.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_m, hex: string) =>
                String.fromCharCode(parseInt(hex, 16)),
              ),
            'latin1',
          ).toString('utf8'),
    );
}
