import { useId } from 'react';
import { useEventSchema } from '../../api/queries.js';
import type { EventSchema } from '../../api/client.js';
import { unseenNameWarning, type NameWarning } from './event-names.js';

/** The workspace's event catalog, or undefined while it loads or when it could not be read. */
function useCatalog(): EventSchema[] | undefined {
  return useEventSchema().data;
}

function Warning({
  warning,
  onUse,
  testId,
}: {
  warning: NameWarning | undefined;
  onUse: (name: string) => void;
  testId?: string;
}) {
  if (!warning) return null;
  return (
    <span className="name-warning" role="status" data-testid={testId}>
      {warning.message}
      {warning.suggestion && (
        <>
          {' '}
          <button
            type="button"
            className="link"
            data-testid={testId && `${testId}-use`}
            onClick={(e) => {
              e.preventDefault();
              onUse(warning.suggestion!);
            }}
          >
            Use “{warning.suggestion}”
          </button>
        </>
      )}
    </span>
  );
}

/**
 * An event name picked from the events the workspace has received (most sent first); a name never seen
 * gets a warning and the nearest known name, but stays allowed: a journey may be drawn before the SDK ships.
 */
export function EventNameInput({
  value,
  onChange,
  testId,
  placeholder = 'Pick or type an event',
}: {
  value: string;
  onChange: (name: string) => void;
  testId?: string;
  placeholder?: string;
}) {
  const catalog = useCatalog();
  const listId = useId();
  const warning = unseenNameWarning(
    value,
    catalog?.map((e) => e.event),
  );
  return (
    <span className="name-pick">
      <input
        value={value}
        list={listId}
        placeholder={placeholder}
        data-testid={testId}
        aria-invalid={warning ? 'true' : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId}>
        {catalog?.map((e) => (
          <option key={e.event} value={e.event}>
            {`${e.count.toLocaleString('en')} received`}
          </option>
        ))}
      </datalist>
      <Warning warning={warning} onUse={onChange} testId={testId && `${testId}-warning`} />
    </span>
  );
}

/** A property of one event (`total`, `items.sku`), offered from what that event has carried so far. */
export function EventPropertyInput({
  event,
  value,
  onChange,
  testId,
  placeholder = 'property, e.g. total',
}: {
  /** The event whose properties are offered; without one, every known property is. */
  event: string | undefined;
  value: string;
  onChange: (path: string) => void;
  testId?: string;
  placeholder?: string;
}) {
  const catalog = useCatalog();
  const listId = useId();
  const entry = event ? catalog?.find((e) => e.event === event) : undefined;
  const properties = entry
    ? entry.properties
    : [...new Map(catalog?.flatMap((e) => e.properties.map((p) => [p.name, p]))).values()];
  // Only a known event's own properties can say a name is unseen; nested paths are checked by their head.
  const head = value.split('.')[0] ?? '';
  const warning =
    entry && entry.properties.length > 0
      ? unseenNameWarning(
          head,
          entry.properties.map((p) => p.name),
          'property',
        )
      : undefined;
  return (
    <span className="name-pick">
      <input
        value={value}
        list={listId}
        placeholder={placeholder}
        data-testid={testId}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId}>
        {properties.map((p) => (
          <option key={p.name} value={p.name}>
            {p.type}
          </option>
        ))}
      </datalist>
      <Warning
        warning={warning}
        onUse={(name) => onChange(value === head ? name : name + value.slice(head.length))}
        testId={testId && `${testId}-warning`}
      />
    </span>
  );
}
