import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

export interface SmtpSettings {
  host: string;
  port: number;
  secure?: boolean;
  auth?: { user: string; pass: string };
  /** Skip STARTTLS (local catch-all SMTP servers only). */
  ignoreTLS?: boolean;
}

/** A sender as the workspace stores it; nodemailer quotes the name itself. */
export interface Sender {
  name?: string;
  address: string;
}

export const SMTP_CREDENTIAL_FIELDS = ['host', 'port', 'secure', 'user', 'pass'] as const;

const yes = (value: string | undefined) => value === 'true' || value === '1' || value === 'yes';

/**
 * SMTP settings from a stored credential of type "smtp": `host` (required), `port` (587 unless
 * `secure`, then 465), `secure` ("true" for implicit TLS), `user` and `pass`. Problems name the field.
 */
export function smtpFromCredential(
  values: Record<string, string>,
): { smtp: SmtpSettings } | { problems: { path: string; message: string }[] } {
  const problems: { path: string; message: string }[] = [];
  const host = values.host?.trim();
  if (!host)
    problems.push({ path: 'values.host', message: 'is required, e.g. "smtp.example.com"' });
  const secure = yes(values.secure?.trim().toLowerCase());
  const port = values.port?.trim() ? Number(values.port) : secure ? 465 : 587;
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    problems.push({ path: 'values.port', message: 'must be a port number, e.g. 587' });
  if (values.pass && !values.user)
    problems.push({ path: 'values.user', message: 'is required when a password is set' });
  if (problems.length > 0 || !host) return { problems };
  return {
    smtp: {
      host,
      port,
      secure,
      ...(values.user ? { auth: { user: values.user, pass: values.pass ?? '' } } : {}),
      ...(yes(values.ignoreTLS?.trim().toLowerCase()) ? { ignoreTLS: true } : {}),
    },
  };
}

export function createSmtpTransport(smtp: SmtpSettings): Transporter {
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure ?? false,
    ignoreTLS: smtp.ignoreTLS ?? false,
    ...(smtp.auth ? { auth: smtp.auth } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}

/** What the SMTP server answered to one message. */
export interface SmtpAnswer {
  /** The server's last reply line, e.g. "250 2.0.0 Ok: queued as 4F1C". */
  response: string;
  accepted: string[];
  rejected: string[];
  messageId: string;
}

/** An SMTP failure with what the server (or the network) said, for a problem+json answer. */
export class SmtpSendError extends Error {
  constructor(
    message: string,
    /** The SMTP reply code when the server answered (5xx: refused for good). */
    readonly responseCode: number | undefined,
    /** nodemailer's category: ECONNECTION, ETIMEDOUT, EAUTH, EENVELOPE, EMESSAGE ... */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SmtpSendError';
  }
}

const addressList = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map((a) => (typeof a === 'string' ? a : String((a as { address?: string }).address)))
    : [];

/** Sends one plain message through `smtp` (a fresh connection, closed after) and returns the server's answer. */
export async function sendOneMessage(
  smtp: SmtpSettings,
  message: { from: Sender | string; to: string; subject: string; text: string },
): Promise<SmtpAnswer> {
  const transport = createSmtpTransport(smtp);
  try {
    const info = await transport.sendMail(message);
    return {
      response: String(info.response ?? ''),
      accepted: addressList(info.accepted),
      rejected: addressList(info.rejected),
      messageId: String(info.messageId ?? ''),
    };
  } catch (error) {
    const e = error as { message?: string; responseCode?: number; code?: string };
    throw new SmtpSendError(e.message ?? String(error), e.responseCode, e.code);
  } finally {
    transport.close();
  }
}
