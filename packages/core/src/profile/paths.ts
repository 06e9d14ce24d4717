import type { ContactProfile } from './types.js';

// The one list of paths a journey may read on a contact's profile (`waitUntil` profile dates, Liquid
// `contact.profile.…`). It is typed against ContactProfile, so a field added to or renamed in the profile
// fails to compile here until the list says what it is.

/** What a profile path holds: `date` (epoch ms), `number`, `string`, or something read further by the
 * reader (`list`: recent occurrences, Liquid's `.first`/`.size`; `open`: free keys such as traits). */
export type ProfileLeafKind = 'date' | 'number' | 'string' | 'list' | 'open';

type Leaf<T> = T extends number
  ? 'date' | 'number'
  : T extends string
    ? 'string'
    : T extends readonly unknown[]
      ? 'list'
      : 'open';
/** A node of the shape: a leaf kind, or an object of fields; `'*'` stands for a key the data chooses (an event name, a product id). */
type ShapeOf<T> = [T] extends [number | string | readonly unknown[]]
  ? Leaf<T>
  : string extends keyof T
    ? 'open' | { '*': ShapeOf<T[string & keyof T]> }
    : { [K in keyof Required<T>]-?: ShapeOf<NonNullable<T[K]>> | 'open' };

const PROFILE_SHAPE = {
  contactId: 'string',
  traits: 'open',
  traitUpdatedAt: 'open',
  traitSetBy: 'open',
  eventCount: 'number',
  firstSeenAt: 'date',
  lastSeenAt: 'date',
  lastActiveAt: 'date',
  events: {
    '*': {
      count: 'number',
      firstAt: 'date',
      lastAt: 'date',
      byDay: 'open',
      numericProperties: 'list',
      numericByDay: 'open',
      recent: 'list',
    },
  },
  purchases: {
    orderCount: 'number',
    totalRevenue: 'number',
    discountedOrderCount: 'number',
    holidayOrderCount: 'number',
    firstOrderAt: 'date',
    lastOrderAt: 'date',
    averageOrderValue: 'number',
    meanDaysBetweenOrders: 'number',
    predictedNextOrderAt: 'date',
    products: {
      '*': {
        orderCount: 'number',
        quantity: 'number',
        firstOrderAt: 'date',
        lastOrderAt: 'date',
        category: 'string',
        categoryAt: 'date',
        reorderGapDays: 'number',
        nextReorderAt: 'date',
      },
    },
  },
  earliestProductViews: 'list',
  categories: { counts: 'open', total: 'number', topCategory: 'string' },
  affinities: { '*': { counts: 'open', total: 'number', top: 'string' } },
  email: {
    sent: 'number',
    opened: 'number',
    clicked: 'number',
    lastSentAt: 'date',
    lastOpenedAt: 'date',
    lastClickedAt: 'date',
  },
  rfm: {
    recency: 'number',
    frequency: 'number',
    monetary: 'number',
    total: 'number',
    scoredAt: 'date',
  },
} as const satisfies ShapeOf<ContactProfile>;

type ShapeNode = ProfileLeafKind | { readonly [key: string]: ShapeNode };

export interface ProfilePath {
  /** Dotted, with `*` where the data chooses the key: `events.*.lastAt`, `purchases.products.*.nextReorderAt`. */
  path: string;
  kind: ProfileLeafKind;
}

function flatten(node: ShapeNode, prefix: string): ProfilePath[] {
  if (typeof node === 'string') return [{ path: prefix, kind: node }];
  return Object.entries(node).flatMap(([key, child]) =>
    flatten(child, prefix === '' ? key : `${prefix}.${key}`),
  );
}

/** Every path a journey can read on the profile, with what it holds. */
export const PROFILE_PATHS: readonly ProfilePath[] = Object.freeze(flatten(PROFILE_SHAPE, ''));

/** The profile's top-level fields, e.g. to tell a profile path from other dotted names in prose. */
export const PROFILE_ROOT_FIELDS: readonly string[] = Object.freeze(Object.keys(PROFILE_SHAPE));

export type ProfilePathCheck =
  /** `group`: a path to several fields (`purchases.products`), which Liquid may loop over but a date wait cannot use. */
  | { ok: true; kind: ProfileLeafKind | 'group' }
  | { ok: false; message: string; suggestion?: string };

/** Splits `events["Video Watched"].recent[0]` into `events`, `Video Watched`, `recent`, `0`. */
export function profilePathSegments(path: string): string[] {
  const segments: string[] = [];
  const pattern = /\[\s*"([^"]*)"\s*\]|\[\s*'([^']*)'\s*\]|\[\s*([^\]]*?)\s*\]|\.?([^.[\]]+)/g;
  for (const m of path.matchAll(pattern)) segments.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
  return segments;
}

export const PROFILE_KIND_WORDS: Record<ProfileLeafKind | 'group', string> = {
  date: 'a date',
  number: 'a number',
  string: 'a text',
  list: 'a list',
  open: 'a group of fields',
  group: 'a group of fields',
};

/**
 * Whether `path` names something on the profile. Free keys (trait names, event names, product ids) are
 * never questioned; fields Cairn computes are, and a wrong one gets the nearest real path as a suggestion.
 */
export function checkProfilePath(path: string): ProfilePathCheck {
  const segments = profilePathSegments(path.trim());
  if (segments.length === 0 || segments.some((s) => s === ''))
    return {
      ok: false,
      message: `"${path}" is not a profile path; write it dotted, e.g. "purchases.predictedNextOrderAt"`,
    };
  let node: ShapeNode = PROFILE_SHAPE;
  const walked: string[] = [];
  for (const segment of segments) {
    if (typeof node === 'string') {
      if (node === 'open' || node === 'list') return { ok: true, kind: 'open' };
      return {
        ok: false,
        message: `"${path}" reads into ${walked.join('.')}, which is ${PROFILE_KIND_WORDS[node]} with no fields`,
      };
    }
    const next: ShapeNode | undefined = Object.prototype.hasOwnProperty.call(node, segment)
      ? node[segment]
      : node['*'];
    if (next === undefined) {
      const suggestion = nearestPath(segments);
      return {
        ok: false,
        message: `"${path}" is not on the contact profile${suggestion ? ` — did you mean "${suggestion}"?` : ''} (see docs/profile.md; traits are under "traits.")`,
        ...(suggestion ? { suggestion } : {}),
      };
    }
    node = next;
    walked.push(segment);
  }
  return { ok: true, kind: typeof node === 'string' ? node : 'group' };
}

/** The real path closest to what was written, keeping the writer's own keys where the profile has free keys. */
function nearestPath(segments: string[]): string | undefined {
  let best: { path: string; distance: number } | undefined;
  for (const candidate of PROFILE_PATHS) {
    const parts = candidate.path.split('.');
    const filled = parts.map((p, i) => (p === '*' ? (segments[i] ?? p) : p));
    const written = segments.slice(0, parts.length).join('.');
    const distance = editDistance(written, filled.join('.'));
    if (best === undefined || distance < best.distance)
      best = { path: renderPath(filled, parts), distance };
  }
  // More than a third of the path changed is a different path, not a typo.
  return best && best.distance <= Math.max(2, Math.floor(segments.join('.').length / 3))
    ? best.path
    : undefined;
}

function renderPath(filled: string[], parts: string[]): string {
  return filled
    .map((s, i) =>
      parts[i] === '*' && !/^[A-Za-z_]\w*$/.test(s) ? `["${s}"]` : i === 0 ? s : `.${s}`,
    )
    .join('');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** `contact.profile.purchases.orderCount`, `contact.profile.events["Video Watched"].recent`, …: the part after `contact.profile`. */
const LIQUID_PROFILE_READ =
  /contact\s*\.\s*profile((?:\s*\.\s*[A-Za-z_][\w-]*|\s*\[\s*(?:"[^"]*"|'[^']*'|\d+)\s*\])+)/g;

/** The reads of `contact.profile.…` in a Liquid template that are not on the profile, each with why. */
export function unknownProfileReads(template: string): { reference: string; message: string }[] {
  return [...template.matchAll(LIQUID_PROFILE_READ)].flatMap((m) => {
    const reference = m[1]!.replace(/\s*([.[\]])\s*/g, '$1').replace(/^\./, '');
    const check = checkProfilePath(reference);
    return check.ok ? [] : [{ reference, message: check.message }];
  });
}
