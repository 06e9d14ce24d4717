import type {
  BranchCondition,
  Duration,
  JourneyNode,
  JourneyNodeKind as JourneyKind,
  JourneyPropertyFilter as PropertyFilter,
} from '@cairn/core';

export const KIND_TITLES: Record<JourneyKind, string> = {
  trigger: 'Trigger',
  delay: 'Delay',
  waitUntil: 'Wait until',
  waitFor: 'Wait for',
  branch: 'Yes / No branch',
  multiSplit: 'Multi-split',
  randomSplit: 'Random split',
  action: 'Action',
  goal: 'Goal',
  exit: 'Exit',
};

export function formatDuration(d: Duration): string {
  const unit = d.amount === 1 ? d.unit.replace(/s$/, '') : d.unit;
  return `${d.amount} ${unit}`;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function countConditions(filters: PropertyFilter[] | undefined): string {
  const n = filters?.length ?? 0;
  return n === 0 ? '' : ` (${n} filter${n === 1 ? '' : 's'})`;
}

export function summarizeCondition(c: BranchCondition): string {
  switch (c.on) {
    case 'profile': {
      const n = c.condition.conditions.length;
      return n === 0
        ? 'No conditions yet'
        : `Profile matches ${c.condition.type} of ${n} condition${n === 1 ? '' : 's'}`;
    }
    case 'segment':
      return `${c.member ? 'In' : 'Not in'} segment ${c.segmentId || '?'}`;
    case 'entryEvent':
      return `Entry event matches${countConditions(c.filters)}`;
    case 'eventSinceEntry':
      return `Did ${c.event || '?'}${(c.count ?? 1) > 1 ? ` ${c.count}× ` : ' '}since entry`.trimEnd();
  }
}

/** One line a marketer reads on the node: "Wait 3 days", "Email: Win-back #1". */
export function summarizeNode(node: JourneyNode, actionTitle?: string): string {
  switch (node.kind) {
    case 'trigger': {
      const t = node.trigger;
      if (t.type === 'segmentEntered') return `Enters segment ${t.segmentId || '?'}`;
      if (t.type === 'event')
        return `When ${t.event || '?'} happens${t.key ? ` (per ${t.key})` : ''}`;
      if (t.type === 'dateAnniversary') return `Anniversary of ${t.trait || '?'}`;
      return 'Started manually';
    }
    case 'delay':
      return `Wait ${formatDuration(node.duration)}`;
    case 'waitUntil': {
      const u = node.until;
      if (u.type === 'datetime') return `Until ${u.at || '?'}`;
      if (u.type === 'timeOfDay') {
        const days = u.weekdays?.length
          ? ` on ${u.weekdays.map((d) => WEEKDAYS[d - 1] ?? d).join(', ')}`
          : '';
        return `Until ${u.time}${days}`;
      }
      const { amount, unit } = u.offset;
      const shift =
        amount === 0
          ? ''
          : ` ${amount > 0 ? '+' : '−'} ${formatDuration({ amount: Math.abs(amount), unit })}`;
      return `Until ${u.field || '?'}${shift}`;
    }
    case 'waitFor': {
      const what = node.for.type === 'event' ? node.for.event || '?' : 'condition';
      return `Wait for ${what}, up to ${formatDuration(node.timeout)}`;
    }
    case 'branch':
      return summarizeCondition(node.condition);
    case 'multiSplit':
      return `${node.branches.length} paths + else`;
    case 'randomSplit':
      return node.variants.map((v) => `${v.label} ${v.weight}%`).join(' / ');
    case 'action': {
      const title = actionTitle ?? node.action.type;
      const name =
        node.label ?? (typeof node.config['name'] === 'string' ? node.config['name'] : undefined);
      return name ? `${title}: ${name}` : title;
    }
    case 'goal':
      return summarizeCondition(node.condition);
    case 'exit':
      return 'Leaves the journey';
  }
}
