// Pure helpers of the Settings page: what a field shows and what a form sends, testable without a DOM.
import type { ApiKey, WorkspaceSender } from '../api/client.js';

export type FieldProblem = { path: string; message: string };

/** `Acme <hello@acme.test>`, or the bare address when there is no name. */
export function formatSender(sender: WorkspaceSender | null | undefined): string {
  if (!sender) return '';
  return sender.name ? `${sender.name} <${sender.address}>` : sender.address;
}

/** The sender the form sends: null (fall back to CAIRN_EMAIL_FROM) when the address is blank. */
export function senderFromForm(form: { name: string; address: string; credential: string }): {
  sender: WorkspaceSender | null;
  problems: FieldProblem[];
} {
  const address = form.address.trim();
  const name = form.name.trim();
  if (!address) {
    return name || form.credential
      ? {
          sender: null,
          problems: [{ path: 'sender.address', message: 'is needed for a name or a credential' }],
        }
      : { sender: null, problems: [] };
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address))
    return {
      sender: null,
      problems: [
        { path: 'sender.address', message: 'must be an email address, e.g. hello@acme.test' },
      ],
    };
  return {
    sender: {
      address,
      ...(name ? { name } : {}),
      ...(form.credential ? { credential: form.credential } : {}),
    },
    problems: [],
  };
}

export type SmtpForm = {
  name: string;
  host: string;
  port: string;
  secure: boolean;
  user: string;
  pass: string;
};
export const EMPTY_SMTP_FORM: SmtpForm = {
  name: '',
  host: '',
  port: '587',
  secure: false,
  user: '',
  pass: '',
};

/** The values of an "smtp" credential (the fields the worker and the test send read), or what is wrong. */
export function smtpCredentialFromForm(form: SmtpForm): {
  values: Record<string, string>;
  problems: FieldProblem[];
} {
  const problems: FieldProblem[] = [];
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,99}$/.test(form.name))
    problems.push({
      path: 'name',
      message: 'starts with a letter; letters, digits, - and _ only, e.g. smtp-main',
    });
  if (!form.host.trim())
    problems.push({ path: 'host', message: 'is required, e.g. smtp.acme.test' });
  const port = Number(form.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    problems.push({ path: 'port', message: 'must be a port number, e.g. 587 or 465' });
  if (form.pass && !form.user)
    problems.push({ path: 'user', message: 'is required when a password is set' });
  const values: Record<string, string> = {
    host: form.host.trim(),
    port: String(port),
    secure: String(form.secure),
    ...(form.user ? { user: form.user } : {}),
    ...(form.pass ? { pass: form.pass } : {}),
  };
  return { values, problems };
}

/** "never", "just now", "12 min ago", "5 h ago", "3 days ago", then the date: when a key was last used. */
export function lastUsedLabel(lastUsedAt: string | null, now: Date = new Date()): string {
  if (!lastUsedAt) return 'never';
  const ms = now.getTime() - new Date(lastUsedAt).getTime();
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 30) return `${days} day${days === 1 ? '' : 's'} ago`;
  return new Date(lastUsedAt).toISOString().slice(0, 10);
}

/** Live keys first (newest first), revoked ones after. */
export function sortKeys(keys: ApiKey[]): ApiKey[] {
  return [...keys].sort((a, b) =>
    !!a.revokedAt !== !!b.revokedAt
      ? a.revokedAt
        ? 1
        : -1
      : b.createdAt.localeCompare(a.createdAt),
  );
}

/** What a key's scope lets it do, in words. */
export const SCOPE_LABELS: Record<ApiKey['scope'], string> = {
  write: 'Write: sends events only (safe in a browser or app)',
  admin: 'Admin: the whole management API',
};

/** IANA time zones the browser knows, with the current one kept even if the list lacks it. */
export function timeZoneChoices(current: string | undefined): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const known = intl.supportedValuesOf?.('timeZone') ?? [];
  const all = new Set(['UTC', ...known]);
  if (current) all.add(current);
  return [...all];
}
