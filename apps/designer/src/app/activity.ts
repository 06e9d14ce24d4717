// Pure helpers of the Activity page: how an audit entry reads to a marketer.
import type { AuditEntry } from '../api/client.js';

export const RESOURCE_TYPES = [
  { type: 'segment', label: 'Segments' },
  { type: 'journey', label: 'Journeys' },
  { type: 'template', label: 'Templates' },
  { type: 'credential', label: 'Credentials' },
  { type: 'apiKey', label: 'API keys' },
  { type: 'user', label: 'Users' },
  { type: 'contact', label: 'Contacts' },
  { type: 'import', label: 'Imports' },
] as const;

const NOUNS: Record<string, string> = {
  apiKey: 'API key',
  contactEnrolled: 'enrolled a contact in',
  subscriptionsChanged: 'changed subscriptions of',
};

/** `journey.published` → "published journey"; `journey.contactEnrolled` → "enrolled a contact in journey". */
export function describeAction(action: string): string {
  const [type = '', verb = ''] = action.split('.');
  const noun = NOUNS[type] ?? type;
  return `${NOUNS[verb] ?? verb} ${noun}`.trim();
}

/** Who did it, in words: a person's name or email, or the API key's id. */
export function describeActor(actor: AuditEntry['actor']): string {
  if (actor.type === 'user')
    return actor.name && actor.name !== actor.email
      ? `${actor.name} (${actor.email ?? actor.id})`
      : (actor.email ?? actor.id);
  return `API key ${actor.id}`;
}

/** Where the designer shows the resource, if it has a page for it. */
export function resourceHref(resource: AuditEntry['resource']): string | undefined {
  const section = { segment: 'segments', journey: 'journeys', contact: 'contacts' }[resource.type];
  return section ? `#/${section}/${encodeURIComponent(resource.id)}` : undefined;
}

/** A changed value, short enough for a table cell; null reads as "—" (added or removed). */
export function formatValue(value: unknown, max = 120): string {
  if (value === null || value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
