// Long on purpose: one pure step function, an exhaustive switch over node kinds.
import type { ConditionGroup } from '../segments/schema.js';
import { matchesEvent, matchesFilters, readPath, type JourneyEvent } from './filters.js';
import { assertNever, durationToMs } from './duration.js';
import {
  type BranchCondition,
  type JourneyDefinition,
  type JourneyNode,
  type MissingDate,
  type NodeOfKind,
  type WaitUntil,
  type PropertyFilter,
} from './graph.js';
import { nextTimeOfDay, quietHoursEnd } from './time.js';
import { profilePathSegments } from '../profile/paths.js';

export type RunStatus = 'running' | 'waiting' | 'completed' | 'exited' | 'converted';
export type CompletionReason = 'exit' | 'goal' | 'exitEvent' | 'segmentExit' | 'holdout';

/** What a waiting contact is waiting for; every wait has an instant at which the host must wake it. */
export type Waiting =
  | { type: 'timer'; until: string }
  | { type: 'event'; event: string; filters?: PropertyFilter[]; deadline: string }
  | { type: 'condition'; deadline: string }
  /** A profile date the contact does not have yet: looked for again on every input and at `recheckAt`. */
  | { type: 'profileDate'; deadline: string; recheckAt: string }
  | { type: 'quietHours'; until: string }
  | { type: 'frequencyCap'; until: string }
  /** A held-out contact: sent nothing, watched for the journey's goals until `until`, for the lift comparison. */
  | { type: 'holdout'; until: string };

export type JourneyStep = { nodeId: string; at: string; output?: string };

export type JourneyRunState = {
  /** The node the contact is at. */
  nodeId: string;
  status: RunStatus;
  enteredAt: string;
  nodeEnteredAt: string;
  waiting?: Waiting;
  /** Set while status is 'running': the action whose result the run awaits. */
  pendingAction?: { nodeId: string; stepKey: string };
  completion?: { reason: CompletionReason; at: string };
  /** The most recent steps, oldest first (at most MAX_RECORDED_STEPS). */
  steps: JourneyStep[];
  counters: {
    /** Times each node was entered; gives each action visit its own stepKey. */
    visits: Record<string, number>;
    conversions: number;
    goalsReached: string[];
    /** Send times of recent message actions, for the frequency cap. */
    messagesSentAt: string[];
  };
};

export type JourneyInput =
  | { type: 'start' }
  | { type: 'timerFired' }
  | { type: 'event'; event: JourneyEvent }
  | { type: 'actionResult'; output: string; result?: unknown; stepKey?: string }
  | { type: 'segmentChanged'; segmentId: string; member: boolean }
  | { type: 'profileChanged' }
  /**
   * The host has the run's state but not the command it was carrying out (a run handed over by
   * continue-as-new): the interpreter says it again and changes nothing.
   */
  | { type: 'resume' };

/** Facts the host supplies on every call; the interpreter never looks anything up itself. */
export type JourneyContext = {
  now: Date;
  contactId: string;
  profile: Record<string, unknown>;
  /** The event that started this run (event triggers). */
  entryEvent?: JourneyEvent;
  /** Events of this contact since entry, including the one being delivered. */
  eventsSinceEntry: JourneyEvent[];
  /** Current segment memberships by segment id. */
  memberships: Record<string, boolean>;
  evaluateCondition(condition: ConditionGroup): boolean;
  /** A stable number 0..99 for (contact, journey, salt); same inputs, same answer. */
  bucket(salt: string): number;
  /** The contact's IANA time zone, e.g. "Europe/Paris". */
  timezone?: string;
  /** The workspace's zone: quiet hours and times of day for a contact with no zone, when the journey names none. */
  workspaceTimezone?: string;
  /** True for actions that message the contact (they obey quiet hours and the frequency cap). */
  isMessageAction?(action: { type: string; version: number }): boolean;
  /**
   * True when the host enforces `frequencyCap` across all journeys at send time (the Temporal worker
   * skips a capped message); otherwise the interpreter delays messages beyond the cap within this run.
   */
  frequencyCapByHost?: boolean;
  /**
   * True when the host records held-out contacts' conversions: a holdout run then waits (sending nothing)
   * for the journey's goals during `holdoutWindow`; otherwise it completes at once.
   */
  watchHoldoutGoals?: boolean;
  /**
   * True for runs begun before profile dates read `*` from the entry event and bracketed keys: they read
   * the field as a plain dotted path, as they did, so their histories replay the same.
   */
  legacyProfileDatePaths?: boolean;
};

export type JourneyCommand =
  /** `recheck`: the same wait looks again later for something not there yet; nothing moved, nothing to record. */
  | { type: 'sleepUntil'; at: string; recheck?: true }
  | { type: 'waitForEvent'; event: string; filters: PropertyFilter[]; deadline: string }
  | { type: 'waitForCondition'; deadline: string }
  | {
      type: 'runAction';
      nodeId: string;
      action: { type: string; version: number };
      config: Record<string, unknown>;
      stepKey: string;
      isMessage: boolean;
    }
  | { type: 'recordStep'; nodeId: string; output: string }
  /** `holdout`: a held-out contact met the goal (counted apart, for the lift comparison). */
  | { type: 'converted'; nodeId: string; holdout?: boolean }
  | { type: 'complete'; reason: CompletionReason };

export type AdvanceResult = { state: JourneyRunState; commands: JourneyCommand[] };

/**
 * The command a host carries out until its next input: sleep, wait (for an event or a condition, up to a
 * deadline), run an action, or end the run. A step that leaves the run held differently emits exactly one,
 * as its last; a step that emits none leaves the host carrying out the one it had.
 */
export type PendingCommand = Extract<
  JourneyCommand,
  { type: 'sleepUntil' | 'waitForEvent' | 'waitForCondition' | 'runAction' | 'complete' }
>;

/** The command a host carries out after a step: the step's last pending command, else the one it had. */
export function pendingAfter(
  current: PendingCommand | undefined,
  commands: readonly JourneyCommand[],
): PendingCommand | undefined {
  for (let i = commands.length - 1; i >= 0; i--) {
    const command = commands[i]!;
    if (
      command.type === 'sleepUntil' ||
      command.type === 'waitForEvent' ||
      command.type === 'waitForCondition' ||
      command.type === 'runAction' ||
      command.type === 'complete'
    )
      return command;
  }
  return current;
}

/** When a host carrying out `command` feeds `timerFired`: undefined while it runs an action or the run is over. */
export function timerFiresAt(command: PendingCommand): string | undefined {
  switch (command.type) {
    case 'sleepUntil':
      return command.at;
    case 'waitForEvent':
    case 'waitForCondition':
      return command.deadline;
    case 'runAction':
    case 'complete':
      return undefined;
    default:
      return assertNever(command);
  }
}

export const MAX_RECORDED_STEPS = 100;
/**
 * A run waiting for a profile date to appear looks again this often without being told (a profile-change
 * input looks at once); each look loads the contact, so it stays hours apart for many waiting contacts.
 */
export const PROFILE_DATE_RECHECK_MS = 6 * 3_600_000;
/** After an event of the contact: its fold lands just behind the signal, so look again shortly. */
export const PROFILE_DATE_RECHECK_AFTER_EVENT_MS = 30_000;
/** How long a held-out contact is watched for the journey's goals, unless `settings.holdoutWindow` says otherwise. */
export const DEFAULT_HOLDOUT_WINDOW = { amount: 30, unit: 'days' } as const;
/** Instantaneous steps allowed in one call; a valid journey never gets close. */
const MAX_STEPS_PER_CALL = 1000;

export class JourneyRuntimeError extends Error {
  override name = 'JourneyRuntimeError';
}

const indexCache = new WeakMap<
  JourneyDefinition,
  { nodes: Map<string, JourneyNode>; edges: Map<string, string> }
>();

function indexOf(def: JourneyDefinition) {
  let index = indexCache.get(def);
  if (!index) {
    const nodes = new Map(def.nodes.map((n) => [n.id, n] as const));
    const edges = new Map<string, string>();
    for (const e of def.edges) {
      const key = `${e.source}\u0000${e.sourceHandle}`;
      if (!edges.has(key)) edges.set(key, e.target);
    }
    index = { nodes, edges };
    indexCache.set(def, index);
  }
  return index;
}

export function isTerminal(state: JourneyRunState): boolean {
  return state.status === 'completed' || state.status === 'exited' || state.status === 'converted';
}

/** The instant the host must wake the run with `timerFired`, if it is waiting on the clock. */
export function wakeUpAt(state: JourneyRunState): string | undefined {
  const w = state.waiting;
  if (!w || state.status !== 'waiting') return undefined;
  if (w.type === 'profileDate')
    return Date.parse(w.recheckAt) < Date.parse(w.deadline) ? w.recheckAt : w.deadline;
  return w.type === 'event' || w.type === 'condition' ? w.deadline : w.until;
}

/**
 * Whether a run of this journey can move on a profile change alone: it has a `waitFor` condition, or a goal
 * (checked on every input) on the profile. Hosts send `profileChanged` to runs of such journeys only.
 */
export function reactsToProfileChanges(def: JourneyDefinition): boolean {
  return def.nodes.some(
    (n) =>
      (n.kind === 'waitFor' && n.for.type === 'condition') ||
      (n.kind === 'goal' && n.condition.on === 'profile'),
  );
}

/**
 * Whether a step of this journey may read the contact's profile (a profile condition, a profile date, a
 * wait for a condition); hosts load the profile, which is large, only for such journeys.
 */
export function readsProfile(def: JourneyDefinition): boolean {
  const onProfile = (condition: BranchCondition) => condition.on === 'profile';
  return def.nodes.some((node) => {
    switch (node.kind) {
      case 'branch':
      case 'goal':
        return onProfile(node.condition);
      case 'multiSplit':
        return node.branches.some((b) => onProfile(b.condition));
      case 'waitUntil':
        return node.until.type === 'profileDate';
      case 'waitFor':
        return node.for.type === 'condition';
      case 'trigger':
      case 'delay':
      case 'randomSplit':
      case 'action':
      case 'exit':
        return false;
      default:
        return assertNever(node);
    }
  });
}

/**
 * Moves one contact's run forward after something happened. Pure: same arguments, same result.
 * Walks through instantaneous nodes and stops at the first node that waits or runs an action.
 */
export function advance(
  def: JourneyDefinition,
  state: JourneyRunState | undefined,
  input: JourneyInput,
  ctx: JourneyContext,
): AdvanceResult {
  if (input.type === 'start') {
    if (state) return { state, commands: [] }; // a repeated start is a no-op
    return new Step(def, undefined, ctx).start();
  }
  if (!state)
    throw new JourneyRuntimeError('advance: the run has not started; send { type: "start" } first');
  if (input.type === 'resume') return new Step(def, state, ctx).resume();
  if (isTerminal(state)) return { state, commands: [] };
  return new Step(def, state, ctx).handle(input);
}

class Step {
  private readonly commands: JourneyCommand[] = [];
  private readonly nodes: Map<string, JourneyNode>;
  private readonly edges: Map<string, string>;
  private readonly nowMs: number;
  private readonly nowIso: string;
  private state: JourneyRunState;

  constructor(
    private readonly def: JourneyDefinition,
    prior: JourneyRunState | undefined,
    private readonly ctx: JourneyContext,
  ) {
    ({ nodes: this.nodes, edges: this.edges } = indexOf(def));
    this.nowMs = ctx.now.getTime();
    this.nowIso = ctx.now.toISOString();
    // Copy so the caller's state is never mutated (the workflow may keep it for replay checks).
    this.state = prior
      ? (JSON.parse(JSON.stringify(prior)) as JourneyRunState)
      : {
          nodeId: '',
          status: 'running',
          enteredAt: this.nowIso,
          nodeEnteredAt: this.nowIso,
          steps: [],
          counters: { visits: {}, conversions: 0, goalsReached: [], messagesSentAt: [] },
        };
  }

  private result(): AdvanceResult {
    return { state: this.state, commands: this.commands };
  }

  start(): AdvanceResult {
    const trigger = this.def.nodes.find((n) => n.kind === 'trigger');
    if (!trigger) throw new JourneyRuntimeError(`journey "${this.def.name}" has no trigger node`);
    this.state.nodeId = trigger.id;
    this.state.counters.visits[trigger.id] = 1;
    if (
      this.def.settings.holdoutPercent > 0 &&
      this.ctx.bucket('holdout') < this.def.settings.holdoutPercent
    ) {
      const hasGoals = this.def.nodes.some((n) => n.kind === 'goal');
      if (!this.ctx.watchHoldoutGoals || !hasGoals || this.holdoutGoalMet()) {
        this.complete('holdout');
        return this.result();
      }
      const until = new Date(
        this.nowMs + durationToMs(this.def.settings.holdoutWindow ?? DEFAULT_HOLDOUT_WINDOW),
      ).toISOString();
      this.wait({ type: 'holdout', until });
      this.commands.push({ type: 'sleepUntil', at: until });
      return this.result();
    }
    if (this.jumpToMetGoal()) return this.result();
    this.walk(this.follow(trigger, 'next'));
    return this.result();
  }

  /** The pending command the state stands for, emitted again; the state is left as it is. */
  resume(): AdvanceResult {
    const state = this.state;
    const waiting = state.waiting;
    if (isTerminal(state)) {
      if (state.completion)
        this.commands.push({ type: 'complete', reason: state.completion.reason });
    } else if (state.status === 'running') {
      const pending = state.pendingAction;
      const node = pending ? this.nodes.get(pending.nodeId) : undefined;
      if (!pending || node?.kind !== 'action')
        throw new JourneyRuntimeError(
          `the run is running at node "${state.nodeId}" without an action of this journey version to wait on`,
        );
      this.commands.push({
        type: 'runAction',
        nodeId: node.id,
        action: node.action,
        config: node.config,
        stepKey: pending.stepKey,
        isMessage: this.ctx.isMessageAction?.(node.action) ?? false,
      });
    } else if (waiting?.type === 'event')
      this.commands.push({
        type: 'waitForEvent',
        event: waiting.event,
        filters: waiting.filters ?? [],
        deadline: waiting.deadline,
      });
    else if (waiting?.type === 'condition')
      this.commands.push({ type: 'waitForCondition', deadline: waiting.deadline });
    else if (waiting) {
      const at = wakeUpAt(state);
      if (at !== undefined) this.commands.push({ type: 'sleepUntil', at });
    }
    return this.result();
  }

  handle(input: JourneyInput): AdvanceResult {
    const settings = this.def.settings;
    if (this.state.status === 'waiting' && this.state.waiting?.type === 'holdout')
      return this.watchHoldout(input, this.state.waiting.until);
    if (
      input.type === 'event' &&
      settings.exitOnEvent &&
      matchesEvent(input.event, settings.exitOnEvent.event, settings.exitOnEvent.filters)
    ) {
      this.complete('exitEvent');
      return this.result();
    }
    if (
      input.type === 'segmentChanged' &&
      !input.member &&
      settings.exitOnSegmentExit &&
      input.segmentId === this.triggerSegmentId()
    ) {
      this.complete('segmentExit');
      return this.result();
    }
    if (this.jumpToMetGoal()) return this.result();

    const node = this.nodes.get(this.state.nodeId);
    if (!node)
      throw new JourneyRuntimeError(
        `the run is at node "${this.state.nodeId}", which this journey version does not have`,
      );

    if (this.state.status === 'running') {
      const pending = this.state.pendingAction;
      if (input.type !== 'actionResult') return this.result();
      if (input.stepKey !== undefined && pending && input.stepKey !== pending.stepKey)
        return this.result(); // a stale result
      this.walk(this.follow(node, input.output));
      return this.result();
    }

    const waiting = this.state.waiting;
    if (!waiting) return this.result();
    const due = (iso: string) => this.nowMs >= Date.parse(iso);
    switch (waiting.type) {
      case 'timer':
        if (input.type === 'timerFired' && due(waiting.until)) this.walk(this.follow(node, 'next'));
        break;
      case 'holdout':
        break; // handled by watchHoldout
      case 'quietHours':
      case 'frequencyCap':
        if (input.type === 'timerFired' && due(waiting.until) && node.kind === 'action') {
          const output = this.startAction(node);
          if (output !== undefined) this.walk(this.follow(node, output));
        }
        break;
      case 'event': {
        const matched =
          input.type === 'event' && matchesEvent(input.event, waiting.event, waiting.filters);
        if (matched && this.nowMs <= Date.parse(waiting.deadline))
          this.walk(this.follow(node, 'matched'));
        else if (due(waiting.deadline)) this.walk(this.follow(node, 'timeout'));
        break;
      }
      case 'profileDate': {
        if (node.kind !== 'waitUntil' || node.until.type !== 'profileDate') break;
        const at = this.profileDateInstant(node.until);
        if (at !== undefined) {
          // The date appeared: wait for it like any profile date.
          if (at <= this.nowMs) this.walk(this.follow(node, 'next'));
          else this.sleep(at, 'timer');
        } else if (due(waiting.deadline)) this.walk(this.follow(node, 'next'));
        else {
          const later =
            input.type === 'event'
              ? Math.min(
                  Date.parse(waiting.recheckAt),
                  this.nowMs + PROFILE_DATE_RECHECK_AFTER_EVENT_MS,
                )
              : due(waiting.recheckAt)
                ? this.nowMs + PROFILE_DATE_RECHECK_MS
                : Date.parse(waiting.recheckAt);
          const recheckAt = new Date(later).toISOString();
          this.wait({ ...waiting, recheckAt });
          // The host must hear of the new instant: it carries out commands, it does not read the state.
          this.commands.push({
            type: 'sleepUntil',
            at: recheckAt < waiting.deadline ? recheckAt : waiting.deadline,
            recheck: true,
          });
        }
        break;
      }
      case 'condition': {
        if (node.kind !== 'waitFor' || node.for.type !== 'condition') break;
        if (
          this.nowMs <= Date.parse(waiting.deadline) &&
          this.ctx.evaluateCondition(node.for.condition)
        )
          this.walk(this.follow(node, 'matched'));
        else if (due(waiting.deadline)) this.walk(this.follow(node, 'timeout'));
        break;
      }
      default:
        assertNever(waiting);
    }
    return this.result();
  }

  /** A held-out contact ends as the journey's contacts would (exit event, segment exit), or on a goal, or at the window's end. */
  private watchHoldout(input: JourneyInput, until: string): AdvanceResult {
    const settings = this.def.settings;
    const exits =
      (input.type === 'event' &&
        settings.exitOnEvent !== undefined &&
        matchesEvent(input.event, settings.exitOnEvent.event, settings.exitOnEvent.filters)) ||
      (input.type === 'segmentChanged' &&
        !input.member &&
        settings.exitOnSegmentExit &&
        input.segmentId === this.triggerSegmentId());
    if (exits || this.holdoutGoalMet() || this.nowMs >= Date.parse(until)) this.complete('holdout');
    return this.result();
  }

  /** Whether a held-out contact meets one of the goals now; records the conversion (once) if so. */
  private holdoutGoalMet(): boolean {
    const goal = this.def.nodes.find((n) => n.kind === 'goal' && this.evaluate(n.condition));
    if (!goal) return false;
    this.state.counters.conversions += 1;
    this.state.counters.goalsReached.push(goal.id);
    this.commands.push({ type: 'converted', nodeId: goal.id, holdout: true });
    return true;
  }

  private triggerSegmentId(): string | undefined {
    const trigger = this.def.nodes.find((n) => n.kind === 'trigger');
    return trigger?.kind === 'trigger' && trigger.trigger.type === 'segmentEntered'
      ? trigger.trigger.segmentId
      : undefined;
  }

  /** A contact who meets a goal anywhere in the journey jumps to it (each goal converts once). */
  private jumpToMetGoal(): boolean {
    for (const node of this.def.nodes) {
      if (node.kind !== 'goal' || this.state.counters.goalsReached.includes(node.id)) continue;
      if (!this.evaluate(node.condition)) continue;
      this.state.nodeId = node.id;
      this.state.nodeEnteredAt = this.nowIso;
      this.state.waiting = undefined;
      this.state.pendingAction = undefined;
      this.state.counters.visits[node.id] = (this.state.counters.visits[node.id] ?? 0) + 1;
      this.convert(node.id);
      this.walk(this.follow(node, 'next'));
      return true;
    }
    return false;
  }

  private convert(nodeId: string) {
    this.state.counters.conversions += 1;
    this.state.counters.goalsReached.push(nodeId);
    this.commands.push({ type: 'converted', nodeId });
  }

  /** Records the step and returns the node behind `output`, or completes the run when it is unwired. */
  private follow(node: JourneyNode, output: string): string | undefined {
    this.state.steps.push({ nodeId: node.id, at: this.nowIso, output });
    if (this.state.steps.length > MAX_RECORDED_STEPS)
      this.state.steps.splice(0, this.state.steps.length - MAX_RECORDED_STEPS);
    this.commands.push({ type: 'recordStep', nodeId: node.id, output });
    const target = this.edges.get(`${node.id}\u0000${output}`);
    if (target === undefined) {
      this.complete(
        node.kind === 'goal' && this.state.counters.goalsReached.includes(node.id)
          ? 'goal'
          : 'exit',
      );
    }
    return target;
  }

  private walk(nodeId: string | undefined) {
    let current = nodeId;
    let steps = 0;
    while (current !== undefined) {
      if (++steps > MAX_STEPS_PER_CALL) {
        throw new JourneyRuntimeError(
          `journey "${this.def.name}": more than ${MAX_STEPS_PER_CALL} steps without a wait at node "${current}" — the graph has a loop with no Delay or Wait`,
        );
      }
      const node = this.nodes.get(current);
      if (!node)
        throw new JourneyRuntimeError(
          `journey "${this.def.name}": an edge leads to node "${current}", which does not exist`,
        );
      this.state.nodeId = node.id;
      this.state.nodeEnteredAt = this.nowIso;
      this.state.status = 'running';
      this.state.waiting = undefined;
      this.state.pendingAction = undefined;
      this.state.counters.visits[node.id] = (this.state.counters.visits[node.id] ?? 0) + 1;
      const output = this.enter(node);
      if (output === undefined) return;
      current = this.follow(node, output);
    }
  }

  /** Runs a node; returns the output to take now, or undefined when the run stops here. */
  private enter(node: JourneyNode): string | undefined {
    switch (node.kind) {
      case 'trigger':
        return 'next';
      case 'delay':
        return this.sleep(this.nowMs + durationToMs(node.duration), 'timer');
      case 'waitUntil': {
        const at = this.waitUntilInstant(node);
        if (at === undefined && node.until.type === 'profileDate')
          return this.missingDate(node.until.ifMissing);
        return at === undefined || at <= this.nowMs ? 'next' : this.sleep(at, 'timer');
      }
      case 'waitFor': {
        const deadline = new Date(this.nowMs + durationToMs(node.timeout)).toISOString();
        if (node.for.type === 'condition') {
          if (this.ctx.evaluateCondition(node.for.condition)) return 'matched';
          this.wait({ type: 'condition', deadline });
          this.commands.push({ type: 'waitForCondition', deadline });
          return undefined;
        }
        const filters = node.for.filters ?? [];
        this.wait({
          type: 'event',
          event: node.for.event,
          ...(node.for.filters ? { filters } : {}),
          deadline,
        });
        this.commands.push({ type: 'waitForEvent', event: node.for.event, filters, deadline });
        return undefined;
      }
      case 'branch':
        return this.evaluate(node.condition) ? 'yes' : 'no';
      case 'multiSplit':
        return node.branches.find((b) => this.evaluate(b.condition))?.id ?? 'else';
      case 'randomSplit':
        return pickVariant(node, this.ctx.bucket(node.id));
      case 'action':
        return this.startAction(node);
      case 'goal':
        if (!this.state.counters.goalsReached.includes(node.id) && this.evaluate(node.condition))
          this.convert(node.id);
        return 'next';
      case 'exit':
        this.complete('exit');
        return undefined;
      default:
        return assertNever(node);
    }
  }

  private startAction(node: NodeOfKind<'action'>): string | undefined {
    const settings = this.def.settings;
    const isMessage = this.ctx.isMessageAction?.(node.action) ?? false;
    if (isMessage && settings.quietHours) {
      const end = quietHoursEnd(
        this.nowMs,
        settings.quietHours,
        this.zone(settings.quietHours.defaultTimezone),
      );
      if (end !== undefined) return this.sleep(end, 'quietHours');
    }
    if (isMessage && settings.frequencyCap && !this.ctx.frequencyCapByHost) {
      const windowStart = this.nowMs - durationToMs(settings.frequencyCap.per);
      const recent = this.state.counters.messagesSentAt
        .map(Date.parse)
        .filter((t) => t > windowStart);
      if (recent.length >= settings.frequencyCap.messages) {
        // Wait until the oldest counted message leaves the window.
        const oldest = Math.min(...recent.slice(-settings.frequencyCap.messages));
        return this.sleep(oldest + durationToMs(settings.frequencyCap.per), 'frequencyCap');
      }
      this.state.counters.messagesSentAt = [
        ...recent.map((t) => new Date(t).toISOString()),
        this.nowIso,
      ].slice(-settings.frequencyCap.messages);
    }
    const stepKey = `${node.id}:${this.state.counters.visits[node.id] ?? 1}`;
    this.state.status = 'running';
    this.state.waiting = undefined;
    this.state.pendingAction = { nodeId: node.id, stepKey };
    this.commands.push({
      type: 'runAction',
      nodeId: node.id,
      action: node.action,
      config: node.config,
      stepKey,
      isMessage,
    });
    return undefined;
  }

  private sleep(atMs: number, type: 'timer' | 'quietHours' | 'frequencyCap'): undefined {
    const until = new Date(atMs).toISOString();
    this.wait({ type, until });
    this.commands.push({ type: 'sleepUntil', at: until });
    return undefined;
  }

  private wait(waiting: Waiting) {
    this.state.status = 'waiting';
    this.state.waiting = waiting;
    this.state.pendingAction = undefined;
  }

  /** The marketer's choice for a contact without the date; left out, the run continues at once (as before). */
  private missingDate(ifMissing: MissingDate | undefined): string | undefined {
    switch (ifMissing?.then) {
      case undefined:
      case 'continue':
        return 'next';
      case 'fallbackDelay':
        return this.sleep(this.nowMs + durationToMs(ifMissing.delay), 'timer');
      case 'waitForDate': {
        const deadline = new Date(this.nowMs + durationToMs(ifMissing.timeout)).toISOString();
        const recheckAt = new Date(this.nowMs + PROFILE_DATE_RECHECK_MS).toISOString();
        this.wait({ type: 'profileDate', deadline, recheckAt });
        this.commands.push({ type: 'sleepUntil', at: recheckAt < deadline ? recheckAt : deadline });
        return undefined;
      }
      default:
        return assertNever(ifMissing);
    }
  }

  /** The profile date plus the offset, or undefined while the contact has no such date. */
  private profileDateInstant(
    until: Extract<WaitUntil, { type: 'profileDate' }>,
  ): number | undefined {
    const values = this.ctx.legacyProfileDatePaths
      ? [readPath(this.ctx.profile, until.field)]
      : profileDateCandidates(this.ctx.profile, until.field, this.ctx.entryEvent);
    const dates = values.map(toInstant).filter((t): t is number => t !== undefined);
    if (dates.length === 0) return undefined;
    return (
      Math.min(...dates) +
      until.offset.amount * durationToMs({ amount: 1, unit: until.offset.unit })
    );
  }

  /** The contact's zone, else the journey's default for this step, else the workspace's, else UTC. */
  private zone(journeyDefault: string | undefined): string {
    return this.ctx.timezone ?? journeyDefault ?? this.ctx.workspaceTimezone ?? 'UTC';
  }

  private waitUntilInstant(node: NodeOfKind<'waitUntil'>): number | undefined {
    const until = node.until;
    switch (until.type) {
      case 'datetime':
        return Date.parse(until.at);
      case 'timeOfDay':
        return nextTimeOfDay(
          this.nowMs,
          until.time,
          this.zone(until.defaultTimezone),
          until.weekdays,
        );
      case 'profileDate':
        return this.profileDateInstant(until);
      default:
        return assertNever(until);
    }
  }

  private evaluate(condition: BranchCondition): boolean {
    return evaluateBranchCondition(condition, this.ctx);
  }

  private complete(reason: CompletionReason) {
    this.state.status =
      reason === 'goal'
        ? 'converted'
        : reason === 'exitEvent' || reason === 'segmentExit'
          ? 'exited'
          : 'completed';
    this.state.completion = { reason, at: this.nowIso };
    this.state.waiting = undefined;
    this.state.pendingAction = undefined;
    this.commands.push({ type: 'complete', reason });
  }
}

export function evaluateBranchCondition(condition: BranchCondition, ctx: JourneyContext): boolean {
  switch (condition.on) {
    case 'profile':
      return ctx.evaluateCondition(condition.condition);
    case 'segment':
      return (ctx.memberships[condition.segmentId] ?? false) === condition.member;
    case 'entryEvent':
      return (
        ctx.entryEvent !== undefined &&
        matchesFilters(ctx.entryEvent.properties ?? {}, condition.filters)
      );
    case 'eventSinceEntry': {
      const needed = condition.count ?? 1;
      return (
        ctx.eventsSinceEntry.filter((e) => matchesEvent(e, condition.event, condition.filters))
          .length >= needed
      );
    }
    default:
      return assertNever(condition);
  }
}

/** Maps a bucket 0..99 onto variants in proportion to their weights. */
export function pickVariant(node: NodeOfKind<'randomSplit'>, bucket: number): string {
  const total = node.variants.reduce((sum, v) => sum + v.weight, 0);
  let cumulative = 0;
  for (const variant of node.variants) {
    cumulative += variant.weight;
    if (bucket < (cumulative / total) * 100) return variant.id;
  }
  return node.variants[node.variants.length - 1]!.id;
}

/** Product ids of an order event: `products[].product_id` (or `productId`, `sku`), else its own `product_id`. */
export function entryProductIds(event: JourneyEvent | undefined): string[] {
  const props = event?.properties ?? {};
  const idOf = (o: Record<string, unknown>) => {
    const id = o.product_id ?? o.productId ?? o.sku;
    return typeof id === 'string' || typeof id === 'number' ? [String(id)] : [];
  };
  const products = Array.isArray(props.products)
    ? props.products.filter(
        (x): x is Record<string, unknown> =>
          x !== null && typeof x === 'object' && !Array.isArray(x),
      )
    : [];
  return [...new Set(products.length > 0 ? products.flatMap(idOf) : idOf(props))];
}

/**
 * The values a profile date path names. A `*` is filled from the run's entry event: under
 * `purchases.products` by the products it bought, under `events` by its name (so one path serves every run).
 */
export function profileDateCandidates(
  profile: Record<string, unknown>,
  field: string,
  entryEvent: JourneyEvent | undefined,
): unknown[] {
  let current: unknown[] = [profile];
  const walked: string[] = [];
  for (const segment of profilePathSegments(field.trim())) {
    const keys =
      segment !== '*'
        ? [segment]
        : walked.join('.') === 'purchases.products'
          ? entryProductIds(entryEvent)
          : walked.join('.') === 'events' && entryEvent
            ? [entryEvent.event]
            : [];
    current = current.flatMap((node) =>
      node !== null && typeof node === 'object'
        ? keys
            .filter((k) => Object.prototype.hasOwnProperty.call(node, k))
            .map((k) => (node as Record<string, unknown>)[k])
        : [],
    );
    walked.push(segment);
  }
  return current.filter((v) => v !== undefined && v !== null);
}

function toInstant(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
