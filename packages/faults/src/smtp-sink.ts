import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  to: string;
  subject: string;
  messageId: string;
  /** When the sink accepted it (ms since the epoch). */
  at: number;
}

/** An SMTP server in the test process that keeps every message it accepted, to count them. */
export interface SmtpSink {
  port: number;
  received: ReceivedEmail[];
  /** How many messages each `to|subject` got; the drill wants exactly 1 for each. */
  counts(): Map<string, number>;
  close(): Promise<void>;
}

function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  // Unfold continuation lines before matching.
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const match = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded);
  return match?.[1]?.trim() ?? '';
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        for (const rcpt of session.envelope.rcptTo) {
          received.push({
            to: rcpt.address.toLowerCase(),
            subject: header(raw, 'Subject'),
            messageId: header(raw, 'Message-ID'),
            at: Date.now(),
          });
        }
        callback();
      });
    },
  });
  // A sender killed mid-conversation resets its connection; that is the drill, not a failure.
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    port,
    received,
    counts() {
      const counts = new Map<string, number>();
      for (const m of received)
        counts.set(`${m.to}|${m.subject}`, (counts.get(`${m.to}|${m.subject}`) ?? 0) + 1);
      return counts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
