import { stableBucket } from '../events/index.js';
import type { ConditionGroup } from '../segments/schema.js';
import type { JourneyEvent } from './filters.js';
import type { ActionCatalog, JourneyDefinition, JourneyNodeKind } from './graph.js';
import {
  advance,
  pendingAfter,
  timerFiresAt,
  type JourneyCommand,
  type JourneyContext,
  type JourneyInput,
  type JourneyRunState,
  type PendingCommand,
} from './interpreter.js';

export type SimulatedContact = {
  id: string;
  profile?: Record<string, unknown>;
  /** IANA time zone, e.g. "America/New_York". */
  timezone?: string;
  memberships?: Record<string, boolean>;
};

export type ConditionFacts = {
  contactId: string;
  profile: Record<string, unknown>;
  now: Date;
  memberships: Record<string, boolean>;
  eventsSinceEntry: JourneyEvent[];
};

export type SimulationOptions = {
  contact: SimulatedContact;
  /** The workspace's IANA zone, for a contact with no zone of their own when the journey names none. */
  workspaceTimezone?: string;
  startAt: Date | string;
  /** The simulation stops here even if the contact is still waiting. */
  until: Date | string;
  /** The event that enrolled the contact (event triggers). */
  entryEvent?: JourneyEvent;
  /** Events the contact performs, on the virtual clock. */
  events?: { at: Date | string; event: JourneyEvent }[];
  segmentChanges?: { at: Date | string; segmentId: string; member: boolean }[];
  /**
   * Output each action node takes, by node id: one name for every visit, or one per visit (the last repeats).
   * Default: the action's first output from `catalogOutputs`/`catalog`, else "next".
   */
  actionOutputs?: Record<string, string | string[]>;
  catalogOutputs?: (type: string, version: number) => string[] | undefined;
  catalog?: ActionCatalog;
  /** Decides profile conditions; the segment evaluator in production. Required if the journey has any. */
  evaluateCondition?: (condition: ConditionGroup, facts: ConditionFacts) => boolean;
  /** Which actions are messages (quiet hours, frequency cap). Default: catalog category, else email/sms/push/inAppMessage. */
  isMessageAction?: (action: { type: string; version: number }) => boolean;
  /** Mixed into random buckets: same seed, same path. */
  seed?: string;
  bucket?: (salt: string) => number;
};

export type TimelineEntry = {
  at: string;
  nodeId: string;
  kind: JourneyNodeKind | 'event';
  what: string;
  output?: string;
};
export type SimulatedAction = {
  at: string;
  nodeId: string;
  action: { type: string; version: number };
  config: Record<string, unknown>;
  stepKey: string;
  isMessage: boolean;
};

export type SimulationResult = {
  timeline: TimelineEntry[];
  /** Message actions that would be sent, in order. */
  messages: SimulatedAction[];
  /** Every action run, messages included. */
  actions: SimulatedAction[];
  state: JourneyRunState;
  /** The node ids walked, in order: the trigger first, then each node left or ended at. */
  path: string[];
};

const DEFAULT_MESSAGE_TYPES = new Set(['email', 'sms', 'push', 'inAppMessage']);
/** Wake-ups allowed per simulation; a journey needing more is looping on a timer. */
const MAX_WAKEUPS = 10_000;

const toMs = (value: Date | string) =>
  value instanceof Date ? value.getTime() : Date.parse(value);

/** Runs one contact through a journey on a virtual clock, with the same interpreter the worker uses. */
export function simulateJourney(
  def: JourneyDefinition,
  options: SimulationOptions,
): SimulationResult {
  const { contact } = options;
  const profile = contact.profile ?? {};
  const memberships = { ...(contact.memberships ?? {}) };
  const eventsSinceEntry: JourneyEvent[] = [];
  const startMs = toMs(options.startAt);
  const untilMs = toMs(options.until);
  const kindOf = new Map(def.nodes.map((n) => [n.id, n.kind] as const));

  type External = { at: number; input: JourneyInput };
  const externals: External[] = [
    ...(options.events ?? []).map((e) => ({
      at: toMs(e.at),
      input: { type: 'event', event: e.event } as const,
    })),
    ...(options.segmentChanges ?? []).map((c) => ({
      at: toMs(c.at),
      input: { type: 'segmentChanged', segmentId: c.segmentId, member: c.member } as const,
    })),
  ]
    .filter((e) => e.at >= startMs)
    .sort((a, b) => a.at - b.at); // stable: same-instant inputs keep their given order

  const isMessageAction =
    options.isMessageAction ??
    ((action: { type: string; version: number }) => {
      const category = options.catalog?.(action.type, action.version)?.category;
      return category !== undefined
        ? category === 'message'
        : DEFAULT_MESSAGE_TYPES.has(action.type);
    });
  const bucket =
    options.bucket ??
    ((salt: string) => stableBucket(`${options.seed ?? ''}:${contact.id}:${salt}`));

  const timeline: TimelineEntry[] = [];
  const actions: SimulatedAction[] = [];
  const path: string[] = [];
  const visitsByAction = new Map<string, number>();
  let state: JourneyRunState | undefined;
  // What the run is held on: the simulator carries out the interpreter's commands, as the workflow does.
  let pending: PendingCommand | undefined;
  let nowMs = startMs;

  const context = (): JourneyContext => {
    const now = new Date(nowMs);
    return {
      now,
      contactId: contact.id,
      profile,
      ...(options.entryEvent ? { entryEvent: options.entryEvent } : {}),
      eventsSinceEntry,
      memberships,
      evaluateCondition: (condition) => {
        if (!options.evaluateCondition) {
          throw new Error(
            'simulateJourney: this journey tests a profile condition; pass options.evaluateCondition',
          );
        }
        return options.evaluateCondition(condition, {
          contactId: contact.id,
          profile,
          now,
          memberships,
          eventsSinceEntry,
        });
      },
      bucket,
      ...(contact.timezone ? { timezone: contact.timezone } : {}),
      ...(options.workspaceTimezone ? { workspaceTimezone: options.workspaceTimezone } : {}),
      isMessageAction,
    };
  };

  const log = (commands: JourneyCommand[]) => {
    const at = new Date(nowMs).toISOString();
    for (const c of commands) {
      switch (c.type) {
        case 'recordStep': {
          path.push(c.nodeId);
          timeline.push({
            at,
            nodeId: c.nodeId,
            kind: kindOf.get(c.nodeId)!,
            what: `took "${c.output}"`,
            output: c.output,
          });
          break;
        }
        case 'runAction': {
          const action = {
            at,
            nodeId: c.nodeId,
            action: c.action,
            config: c.config,
            stepKey: c.stepKey,
            isMessage: c.isMessage,
          };
          actions.push(action);
          timeline.push({
            at,
            nodeId: c.nodeId,
            kind: 'action',
            what: `ran ${c.action.type}@${c.action.version}`,
          });
          break;
        }
        case 'sleepUntil':
          if (c.recheck) break; // the same wait, looked at again later: not a step of the run
          timeline.push({
            at,
            nodeId: state!.nodeId,
            kind: kindOf.get(state!.nodeId)!,
            what: `waits until ${c.at}`,
          });
          break;
        case 'waitForEvent':
          timeline.push({
            at,
            nodeId: state!.nodeId,
            kind: 'waitFor',
            what: `waits for "${c.event}" until ${c.deadline}`,
          });
          break;
        case 'waitForCondition':
          timeline.push({
            at,
            nodeId: state!.nodeId,
            kind: 'waitFor',
            what: `waits for the condition until ${c.deadline}`,
          });
          break;
        case 'converted':
          timeline.push({ at, nodeId: c.nodeId, kind: 'goal', what: 'converted' });
          break;
        case 'complete':
          timeline.push({
            at,
            nodeId: state!.nodeId,
            kind: kindOf.get(state!.nodeId)!,
            what: `completed (${c.reason})`,
          });
          break;
      }
    }
  };

  const step = (input: JourneyInput) => {
    const result = advance(def, state, input, context());
    state = result.state;
    pending = pendingAfter(pending, result.commands);
    log(result.commands);
  };

  step({ type: 'start' });
  for (let wakeups = 0; state && pending && pending.type !== 'complete'; wakeups++) {
    if (wakeups > MAX_WAKEUPS)
      throw new Error(
        `simulateJourney: more than ${MAX_WAKEUPS} wake-ups before ${new Date(untilMs).toISOString()}`,
      );
    if (pending.type === 'runAction') {
      const visit = (visitsByAction.get(pending.nodeId) ?? 0) + 1;
      visitsByAction.set(pending.nodeId, visit);
      step({
        type: 'actionResult',
        output: chooseOutput(pending, visit, options),
        stepKey: pending.stepKey,
      });
      continue;
    }
    const wake = timerFiresAt(pending);
    const wakeMs = wake === undefined ? undefined : Date.parse(wake);
    const next = externals[0];
    if (next && (wakeMs === undefined || next.at <= wakeMs)) {
      if (next.at > untilMs) break;
      externals.shift();
      nowMs = Math.max(nowMs, next.at);
      if (next.input.type === 'event') {
        eventsSinceEntry.push(next.input.event);
        timeline.push({
          at: new Date(nowMs).toISOString(),
          nodeId: state.nodeId,
          kind: 'event',
          what: `received "${next.input.event.event}"`,
        });
      } else if (next.input.type === 'segmentChanged') {
        memberships[next.input.segmentId] = next.input.member;
      }
      step(next.input);
    } else if (wakeMs !== undefined) {
      if (wakeMs > untilMs) break;
      nowMs = Math.max(nowMs, wakeMs);
      step({ type: 'timerFired' });
    } else {
      break;
    }
  }

  // The node a run ended at (an Exit, or where an exit rule caught it) took no output; add it.
  if (state && pending?.type === 'complete' && path[path.length - 1] !== state.nodeId)
    path.push(state.nodeId);
  return { timeline, messages: actions.filter((a) => a.isMessage), actions, state: state!, path };
}

function chooseOutput(
  command: Extract<PendingCommand, { type: 'runAction' }>,
  visit: number,
  options: SimulationOptions,
): string {
  const scripted = options.actionOutputs?.[command.nodeId];
  if (typeof scripted === 'string') return scripted;
  if (Array.isArray(scripted) && scripted.length > 0)
    return scripted[Math.min(visit, scripted.length) - 1]!;
  const { type, version } = command.action;
  const outputs =
    options.catalogOutputs?.(type, version) ?? options.catalog?.(type, version)?.outputs;
  return outputs?.[0] ?? 'next';
}
