// The journey's entry dates as the settings panel shows them: the browser's local time in, ISO instants out.

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as a `datetime-local` input value in the browser's time zone ("" when unset or unreadable). */
export function toLocalInput(iso: string | undefined): string {
  if (iso === undefined) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** A `datetime-local` value (local time) as an ISO instant; undefined when the field was cleared. */
export function fromLocalInput(value: string): string | undefined {
  if (value === '') return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** "Scheduled: entry opens 31 Jan 2026, 09:00" and the like, for the journeys list. */
export function describeEntry(
  entry: { state: 'scheduled' | 'open' | 'ended'; startsAt?: string; endsAt?: string },
  format: (iso: string) => string = (iso) => new Date(iso).toLocaleString(),
): string {
  switch (entry.state) {
    case 'scheduled':
      return `Entry opens ${format(entry.startsAt ?? '')}`;
    case 'ended':
      return `Entry closed ${format(entry.endsAt ?? '')}; contacts inside carry on`;
    case 'open':
      return entry.endsAt ? `Entry closes ${format(entry.endsAt)}` : 'Open for entry';
  }
}
