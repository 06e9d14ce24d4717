// Long on purpose: Temporal replays it whole; patched() flags, handlers and loop stay together.
// One contact's run through one journey version. Deterministic: the graph walk is core's pure
// `advance`; time comes from workflow time, every effect (loading facts, actions, progress) is an activity.
// The workflow carries out the commands `advance` emits (sleep, wait, run an action, complete), as the
// simulator does; it never reads the run's state to decide what to do next.
// Core comes in through its zod-free `runtime` entry: the workflow's modules are evaluated once per
// cached run, and the package root (zod and every schema) cost ~1.4 MiB of worker heap per waiting run.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  advance,
  evaluateSegment,
  pendingAfter,
  readsProfile,
  stableBucket,
  timerFiresAt,
  wakeUpAt,
  type ContactProfile,
  type JourneyCommand,
  type JourneyContext,
  type JourneyEvent,
  type JourneyInput,
  type JourneyRunState,
  type PendingCommand,
} from '@cairn/core/runtime';
import {
  JOURNEY_POSITION_QUERY,
  JOURNEY_SIGNALS,
  type ContactFacts,
  type JourneyActivities,
  type JourneyControl,
  type JourneyInbox,
  type JourneyPosition,
  type JourneyProgress,
  type JourneyRunOutcome,
  type ProgressTask,
  type JourneyWorkflowInput,
  type SegmentChange,
} from './journey-contract.js';

export const contactEventSignal = defineSignal<[JourneyEvent]>(JOURNEY_SIGNALS.contactEvent);
export const segmentChangedSignal = defineSignal<[SegmentChange]>(JOURNEY_SIGNALS.segmentChanged);
export const profileChangedSignal = defineSignal<[]>(JOURNEY_SIGNALS.profileChanged);
export const controlSignal = defineSignal<[JourneyControl]>(JOURNEY_SIGNALS.control);
export const positionQuery = defineQuery<JourneyPosition | undefined>(JOURNEY_POSITION_QUERY);

// Database activities retry until the database is back: a contact is never dropped for an outage.
const data = proxyActivities<Omit<JourneyActivities, 'runJourneyAction'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// The same reads and the progress write as local activities: one marker each in the history instead of
// three events plus a workflow task, which keeps a step within six history events (bench/RESULTS.md).
const local = proxyLocalActivities<
  Pick<JourneyActivities, 'loadJourneyVersion' | 'loadContactFacts' | 'recordJourneyProgress'>
>({
  startToCloseTimeout: '30 seconds',
  // Past this a retry waits on a durable timer rather than holding the workflow task open.
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// Actions retry with backoff for about a day; a PermanentActionError stops at once.
const actions = proxyActivities<Pick<JourneyActivities, 'runJourneyAction'>>({
  startToCloseTimeout: '5 minutes',
  // runJourneyAction heartbeats every 5 s: a step whose worker died is retried after 30 s, not 5 minutes.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 hour',
    maximumAttempts: 30,
    nonRetryableErrorTypes: ['PermanentActionError'],
  },
});

/** Thrown by a contact fact a step reads before the workflow has loaded them. */
class FactsNeeded extends Error {}

/** Keep each run's history well under Temporal's limits; the state carried over is small. */
const MAX_HISTORY_EVENTS = 2000;
const MAX_EVENTS_SINCE_ENTRY = 200;
/** A run that found its journey paused (not told by signal) looks again this often. */
const PAUSED_RECHECK = '10 minutes';

export async function journeyWorkflow(input: JourneyWorkflowInput): Promise<JourneyRunOutcome> {
  const { workspaceId, journeyId, version, contactId } = input;
  const info = workflowInfo();
  // Stable across retries, replays and continue-as-new; new for a re-entry of the same workflow id.
  const runStartedId = info.firstExecutionRunId;
  // Absent from every history recorded so far, so the default keeps their continue-as-new points.
  const maxHistoryEvents = input.maxHistoryEvents ?? MAX_HISTORY_EVENTS;

  const inbox: JourneyInbox[] = [...(input.carried?.inbox ?? [])];
  const eventsSinceEntry: JourneyEvent[] = [...(input.carried?.eventsSinceEntry ?? [])];
  let state: JourneyRunState | undefined = input.carried?.state;
  // The command being carried out: the last one a step emitted (a step that emits none keeps it).
  let pending: PendingCommand | undefined;
  let seq = input.carried?.seq ?? 0;
  const historyBefore = input.carried?.historyBefore ?? 0;
  // The task whose batches are being built: from history and workflow time, so a replay computes the same.
  let task: ProgressTask | undefined;
  const currentTask = (): ProgressTask => {
    const history = historyBefore + workflowInfo().historyLength;
    if (task?.history !== history) task = { history, time: Date.now(), settledSeq: seq };
    return task;
  };
  let paused = input.carried?.paused ?? false;
  let pausedByCheck = false;
  // The progress batch of the last step when the next action's activity is to write it (lean steps).
  let unrecorded: JourneyProgress | undefined;
  let stopped = false;
  // Before any handler runs: runs begun before membership changes carried revisions act on every change.
  const dropsStaleSegmentChanges = patched('stale-segment-signals');
  // Runs begun before lean steps (facts loaded only when read, local activities) keep their regular activities.
  const leanSteps = patched('lean-steps');
  const store = leanSteps ? local : data;
  const segmentRevs: Record<string, number> = { ...input.carried?.segmentRevs };
  if (input.entry.segment && segmentRevs[input.entry.segment.segmentId] === undefined)
    segmentRevs[input.entry.segment.segmentId] = input.entry.segment.rev;

  setHandler(contactEventSignal, (event) => void inbox.push({ type: 'event', event }));
  setHandler(segmentChangedSignal, (change) => {
    if (dropsStaleSegmentChanges && change.rev !== undefined) {
      const seen = segmentRevs[change.segmentId];
      // Delivered out of order (a retried trigger, a second dispatcher) or twice: it changes nothing.
      if (seen !== undefined && change.rev <= seen) return;
      segmentRevs[change.segmentId] = change.rev;
    }
    inbox.push({ type: 'segmentChanged', ...change });
  });
  setHandler(profileChangedSignal, () => void inbox.push({ type: 'profileChanged' }));
  setHandler(controlSignal, (control) => {
    if (control === 'pause') paused = true;
    if (control === 'resume') paused = pausedByCheck = false;
    if (control === 'stop') stopped = true;
  });
  setHandler(positionQuery, () =>
    state
      ? {
          nodeId: state.nodeId,
          status: state.status,
          paused,
          ...(state.waiting ? { waiting: state.waiting } : {}),
          ...(state.completion ? { completion: state.completion } : {}),
          steps: state.steps.slice(-20),
        }
      : undefined,
  );

  const { definition, messageActions } = await store.loadJourneyVersion({
    workspaceId,
    journeyId,
    version,
  });
  const isMessage = new Set(messageActions);
  // Runs started before the worker enforced the cap across journeys keep the in-run cap they began with.
  const frequencyCapByHost = patched('frequency-cap-across-journeys');
  // Likewise, runs held out before holdout conversions were recorded end at once, as they began.
  const watchHoldoutGoals = patched('holdout-conversions');
  // And runs begun before profile dates read `*` from the entry event (and bracketed keys) read them as before.
  const legacyProfileDatePaths = !patched('profile-date-paths');
  // Only profile conditions and profile dates read the profile; other journeys never carry it through history.
  const loadsProfile = readsProfile(definition);

  const context = (
    facts: ContactFacts,
    overrides: Partial<JourneyContext> = {},
  ): JourneyContext => {
    const memberships = facts.memberships;
    return {
      now: new Date(),
      contactId,
      profile: facts.profile,
      ...(input.entry.event ? { entryEvent: input.entry.event } : {}),
      eventsSinceEntry,
      memberships,
      evaluateCondition: (group) =>
        evaluateSegment(group, {
          contactId,
          // A profile the run did not load is {}, and then no condition of this journey reads it.
          profile: facts.profile as ContactProfile,
          now: Date.now(),
          memberships: new Set(Object.keys(memberships).filter((id) => memberships[id])),
        }).matches,
      bucket: (salt) => stableBucket(`${journeyId}:${contactId}:${salt}`),
      ...(facts.timezone ? { timezone: facts.timezone } : {}),
      ...(facts.workspaceTimezone ? { workspaceTimezone: facts.workspaceTimezone } : {}),
      isMessageAction: (action) => isMessage.has(`${action.type}@${action.version}`),
      frequencyCapByHost,
      watchHoldoutGoals,
      legacyProfileDatePaths,
      ...overrides,
    };
  };

  /** advance() with facts that throw when read; undefined when the step reads one (advance is pure: rerun it). */
  const advanceWithoutFacts = (before: JourneyRunState | undefined, journeyInput: JourneyInput) => {
    const ctx = context({ exists: true, profile: {}, memberships: {} });
    for (const fact of [
      'profile',
      'memberships',
      'timezone',
      'workspaceTimezone',
      'evaluateCondition',
    ] as const)
      Object.defineProperty(ctx, fact, {
        get() {
          throw new FactsNeeded();
        },
      });
    try {
      return advance(definition, before, journeyInput, ctx);
    } catch (error) {
      if (error instanceof FactsNeeded) return undefined;
      throw error;
    }
  };

  const progressBase = () => ({
    workspaceId,
    journeyId,
    version,
    contactId,
    ...(input.key !== undefined ? { key: input.key } : {}),
    workflowId: info.workflowId,
    runStartedId,
    at: new Date().toISOString(),
  });

  /** Feeds one input to the interpreter and records what happened in one activity call. */
  const step = async (journeyInput: JourneyInput, sent: string[] = [], capped: string[] = []) => {
    const before = state;
    // Most steps (a timer into a delay, an email, an exit) read no contact fact: try without loading them.
    let result = leanSteps ? advanceWithoutFacts(before, journeyInput) : undefined;
    if (!result) {
      const facts = await store.loadContactFacts({ workspaceId, contactId, profile: loadsProfile });
      if (journeyInput.type === 'segmentChanged') {
        // The signal is newer than whatever the fact load raced with.
        facts.memberships = { ...facts.memberships, [journeyInput.segmentId]: journeyInput.member };
      }
      result = advance(definition, before, journeyInput, context(facts));
    }
    state = result.state;
    pending = pendingAfter(pending, result.commands);
    // A wait that only looks again later (a profile date still missing) moved nothing: no batch to write.
    const moved = result.commands.some((c) => c.type !== 'sleepUntil' || !c.recheck);
    if (!moved && sent.length === 0 && capped.length === 0) return;
    const progress = progressOf(before, state, result.commands, sent, capped);
    // An action runs next: its activity writes this batch first, saving the step a marker.
    if (leanSteps && pending?.type === 'runAction') unrecorded = progress;
    else await store.recordJourneyProgress(progress);
  };

  /** Writes a batch held for the next action's activity; a batch written twice is dropped by its digest. */
  const flushProgress = async () => {
    const progress = unrecorded;
    if (progress) await store.recordJourneyProgress(progress);
    if (unrecorded === progress) unrecorded = undefined;
  };

  const progressOf = (
    before: JourneyRunState | undefined,
    after: JourneyRunState,
    commands: JourneyCommand[],
    sent: string[],
    capped: string[] = [],
  ): JourneyProgress => {
    const entered: Record<string, number> = {};
    for (const [nodeId, visits] of Object.entries(after.counters.visits)) {
      const delta = visits - (before?.counters.visits[nodeId] ?? 0);
      if (delta > 0) entered[nodeId] = delta;
    }
    const outputs: { nodeId: string; output: string }[] = [];
    const converted: string[] = [];
    let holdoutConverted = false;
    let completion: { reason: string; at: string } | undefined;
    for (const c of commands) {
      if (c.type === 'recordStep') outputs.push({ nodeId: c.nodeId, output: c.output });
      if (c.type === 'converted' && c.holdout) holdoutConverted = true;
      else if (c.type === 'converted') converted.push(c.nodeId);
      if (c.type === 'complete' && after.completion) completion = after.completion;
    }
    const wasWaitingAt = before?.status === 'waiting' ? before.nodeId : undefined;
    const waitsAt = after.status === 'waiting' ? after.nodeId : undefined;
    const newSteps = after.steps.slice(Math.max(0, after.steps.length - outputs.length));
    const builtBy = currentTask();
    seq += 1;
    return {
      ...progressBase(),
      seq,
      task: builtBy,
      nodeId: after.nodeId,
      status: after.status,
      steps: outputs.length > 0 ? newSteps : [],
      entered,
      outputs,
      converted,
      ...(waitsAt !== undefined && waitsAt !== wasWaitingAt ? { waitingAt: waitsAt } : {}),
      ...(wakeUpAt(after) !== undefined ? { wakeUpAt: wakeUpAt(after) } : {}),
      ...(wasWaitingAt !== undefined && wasWaitingAt !== waitsAt
        ? { leftWaitingAt: wasWaitingAt }
        : {}),
      ...(sent.length > 0 ? { sent } : {}),
      ...(capped.length > 0 ? { capped } : {}),
      // Held out at entry: counted once, with the run's first batch.
      ...(before === undefined &&
      (after.waiting?.type === 'holdout' || after.completion?.reason === 'holdout')
        ? { heldOut: true }
        : {}),
      ...(holdoutConverted ? { holdoutConverted: true } : {}),
      ...(completion ? { completion } : {}),
    };
  };

  /** Ends a run the interpreter did not end itself (stopped by hand, or an action failed for good). */
  const finish = async (
    status: 'stopped' | 'failed',
    reason: string,
  ): Promise<JourneyRunOutcome> => {
    const current = state;
    await flushProgress();
    const builtBy = currentTask();
    seq += 1;
    await store.recordJourneyProgress({
      ...progressBase(),
      seq,
      task: builtBy,
      nodeId: current?.nodeId ?? '',
      status,
      steps: [],
      entered: {},
      outputs: [],
      converted: [],
      ...(current?.status === 'waiting' ? { leftWaitingAt: current.nodeId } : {}),
      completion: { reason, at: new Date().toISOString() },
    });
    return { status, reason, nodeId: current?.nodeId ?? '', steps: current?.steps.length ?? 0 };
  };

  const waitWhilePaused = async () => {
    if (paused) await flushProgress();
    while (paused && !stopped) {
      if (!pausedByCheck) {
        await condition(() => !paused || stopped);
        continue;
      }
      // Paused by a status check, not a signal: no resume signal may come, so look again now and then.
      if (await condition(() => !paused || stopped, PAUSED_RECHECK)) continue;
      const { status } = await data.journeyStatus({ workspaceId, journeyId });
      if (status === 'published') paused = pausedByCheck = false;
      if (status === 'archived') stopped = true;
    }
  };

  if (!state) {
    if (stopped) return finish('stopped', 'stopped');
    await step({ type: 'start' });
  } else {
    // Handed over by continue-as-new: the interpreter says again what the run was held on (pure, no history).
    const resumed = advanceWithoutFacts(state, { type: 'resume' });
    if (!resumed) throw new Error('resume read a contact fact'); // resume reads none, by construction
    pending = pendingAfter(undefined, resumed.commands);
  }

  // A function, not a narrowed variable: each step reassigns `pending` from inside `step`.
  const runIsOver = () => pending === undefined || pending.type === 'complete';
  while (!runIsOver()) {
    await waitWhilePaused();
    if (stopped) return finish('stopped', 'stopped');

    const current = pending!;
    if (current.type === 'runAction') {
      const command = current;
      let answer;
      try {
        answer = await actions.runJourneyAction({
          workspaceId,
          journeyId,
          version,
          contactId,
          nodeId: command.nodeId,
          action: command.action,
          config: command.config,
          stepKey: command.stepKey,
          idempotencyKey: `${info.workflowId}:${runStartedId}:${command.stepKey}`,
          runId: runStartedId,
          ...(unrecorded ? { progress: unrecorded } : {}),
        });
        unrecorded = undefined;
      } catch (error) {
        if (error instanceof ActivityFailure) {
          const cause =
            error.cause instanceof ApplicationFailure
              ? error.cause.message
              : (error.cause?.message ?? error.message);
          return finish(
            'failed',
            `action ${command.action.type}@${command.action.version} at "${command.nodeId}" failed: ${cause}`,
          );
        }
        throw error;
      }
      if (answer.held) {
        // The journey was paused or archived between the signal and this step: send nothing.
        if (answer.status === 'archived') stopped = true;
        else paused = pausedByCheck = true;
        continue;
      }
      const capped =
        (answer.result as { frequencyCapped?: unknown } | undefined)?.frequencyCapped === true;
      const sentHere =
        command.isMessage && answer.output !== 'skipped' && !capped ? [command.nodeId] : [];
      const cappedHere = capped ? [command.nodeId] : [];
      await step(
        {
          type: 'actionResult',
          output: answer.output,
          result: answer.result,
          stepKey: command.stepKey,
        },
        sentHere,
        cappedHere,
      );
    } else {
      // A sleep or a wait: any input may end it (an exit event, a goal), else the timer at its instant.
      const wake = timerFiresAt(current);
      const interrupted = () => inbox.length > 0 || paused || stopped;
      if (wake === undefined) await condition(interrupted);
      else {
        const ms = Date.parse(wake) - Date.now();
        if (ms > 0) await condition(interrupted, ms);
      }
      if (paused || stopped) continue;
      const next = inbox.shift();
      if (next?.type === 'event') {
        eventsSinceEntry.push(next.event);
        if (eventsSinceEntry.length > MAX_EVENTS_SINCE_ENTRY)
          eventsSinceEntry.splice(0, eventsSinceEntry.length - MAX_EVENTS_SINCE_ENTRY);
      }
      await step(next ?? { type: 'timerFired' });
    }

    const now = workflowInfo();
    if (
      state &&
      !runIsOver() &&
      (now.continueAsNewSuggested || now.historyLength > maxHistoryEvents)
    ) {
      await flushProgress();
      await continueAsNew<typeof journeyWorkflow>({
        ...input,
        carried: {
          state,
          eventsSinceEntry,
          inbox,
          paused,
          seq,
          segmentRevs,
          historyBefore: historyBefore + now.historyLength,
        },
      });
    }
  }

  // Every step leaves a pending command (core's properties test); a run without one is a bug, not a contact's fault.
  if (pending?.type !== 'complete' || !state)
    return finish('failed', 'the journey interpreter left the run with nothing to carry out');
  const end = state;
  return {
    status: end.status,
    ...(end.completion ? { reason: end.completion.reason } : {}),
    nodeId: end.nodeId,
    steps: end.steps.length,
  };
}
