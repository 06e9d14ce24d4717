// The one activity that runs any registered action: `type@version` from the registry, executed by the SDK.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  ActionRegistry,
  executeAction,
  isPermanentActionError,
  type ActionContext,
  type RecordedEvent,
} from '@cairn/action-sdk';
import { durationToMs } from '@cairn/core';
import {
  countSentMessages,
  countThrottledSend,
  decodeDocumentKeys,
  findActionRun,
  findContact,
  journeyStatusOf,
  loadJourneyDefinition,
  readCredential,
  loadProfile,
  recordDelivery,
  reserveSendSlot,
  sendLimitOf,
  storeActionRun,
  workspaceSender,
} from '@cairn/db';
import type { RunJourneyActionInput, RunJourneyActionResult } from '@cairn/workflows';
import { createActionServices, type ActionServiceDeps } from './services.js';

export interface RunActionDeps extends ActionServiceDeps {
  registry: ActionRegistry;
  /** CAIRN_SECRET_KEY: opens stored credentials. */
  secretKey?: string;
}

/** Well inside the 30 s heartbeat timeout of the journey workflow's action activities. */
const ACTION_HEARTBEAT_MS = 5_000;

const CHANNEL_OF: Record<string, string> = {
  email: 'email',
  inAppMessage: 'inApp',
  sms: 'sms',
  push: 'push',
};

/** The clock an action sees: the server's time when this attempt was scheduled (skipped time in tests), moving on from there. */
function activityClock(): () => Date {
  let scheduled = Date.now();
  try {
    scheduled = Context.current().info.currentAttemptScheduledTimestampMs;
  } catch {
    // Called outside an activity (unit use): the wall clock.
  }
  const startedAt = Date.now();
  return () => new Date(scheduled + (Date.now() - startedAt));
}

export function createRunJourneyAction(deps: RunActionDeps) {
  const { connection } = deps.db;

  /** The reason a message step is over the journey's frequency cap, counting sends of every journey; undefined when it may send. */
  const frequencyCapReached = async (
    input: RunJourneyActionInput,
    nowMs: number,
  ): Promise<string | undefined> => {
    const cap = (
      await loadJourneyDefinition(connection, input.workspaceId, input.journeyId, input.version)
    )?.settings.frequencyCap;
    if (!cap) return undefined;
    const sent = await countSentMessages(connection, input.workspaceId, input.contactId, {
      since: nowMs - durationToMs(cap.per),
      excluding: input.idempotencyKey,
    });
    if (sent < cap.messages) return undefined;
    return `frequency cap: ${sent} messages already sent in the last ${cap.per.amount} ${cap.per.unit} (cap ${cap.messages}, across all journeys)`;
  };
  /** The workspace defaults an action sees (cached 30 s in packages/db, so a step costs no extra read). */
  const actionWorkspace = async (workspaceId: string) => {
    const sender = await workspaceSender(connection, workspaceId);
    return sender ? { sender } : {};
  };
  return async function runJourneyAction(
    input: RunJourneyActionInput,
  ): Promise<RunJourneyActionResult> {
    const status = await journeyStatusOf(connection, input.workspaceId, input.journeyId);
    // Paused or archived journeys send nothing; the workflow holds the contact where it is.
    if (!status || status === 'paused' || status === 'archived')
      return { held: true, status: status ?? 'archived' };

    // A step that already ran (a replay, or a retry after the result was stored) answers from the record.
    const done = await findActionRun(connection, input.idempotencyKey);
    const definition = deps.registry.get(input.action.type, input.action.version);
    // The delivery log entry of a message step (written once per idempotency key).
    const logDelivery = (status: 'sent' | 'skipped', at: number | Date, reason?: string) =>
      recordDelivery(connection, {
        idempotencyKey: input.idempotencyKey,
        workspaceId: input.workspaceId,
        contactId: input.contactId,
        journeyId: input.journeyId,
        nodeId: input.nodeId,
        channel: CHANNEL_OF[input.action.type] ?? input.action.type,
        status,
        ...(reason !== undefined ? { reason } : {}),
        at,
      });
    if (done) {
      // An attempt killed right after storing "sent" (email@1 stores it as soon as the server accepted the
      // message) never wrote the delivery log entry nor its events; writing them here is a no-op when it did.
      if (definition.category === 'message' && done.output === 'sent')
        await logDelivery('sent', done.at);
      if (done.events?.length) {
        const services = createActionServices(deps, {
          workspaceId: input.workspaceId,
          idempotencyKey: input.idempotencyKey,
          now: () => new Date(done.at),
        });
        for (const event of done.events)
          await services.recordEvent(input.contactId, event as RecordedEvent);
      }
      return {
        held: false,
        output: done.output,
        ...(done.result !== undefined ? { result: done.result } : {}),
      };
    }

    const now = activityClock();
    const contact = await findContact(connection, input.workspaceId, input.contactId, [
      'workspaceId',
      'contactId',
      'traits',
      'profile',
      'foldRev',
      'lastFoldIds',
      'mergedFrom',
    ]);
    // The record a retried step answers from; written once (the first outcome stored wins).
    const saveActionRun = async (outcome: {
      output: string;
      result?: unknown;
      events?: RecordedEvent[];
    }) => {
      await storeActionRun(connection, {
        _id: input.idempotencyKey,
        workspaceId: input.workspaceId,
        contactId: input.contactId,
        journeyId: input.journeyId,
        nodeId: input.nodeId,
        action: `${input.action.type}@${input.action.version}`,
        output: outcome.output,
        ...(outcome.result !== undefined ? { result: outcome.result } : {}),
        ...(outcome.events?.length ? { events: outcome.events } : {}),
        at: now(),
      });
    };
    if (definition.category === 'message') {
      const capped = await frequencyCapReached(input, now().getTime());
      if (capped) {
        // Skipped, not delayed: a message past the cap is stale by the time the window has room.
        const output = definition.outputs.some((o) => o.name === 'skipped')
          ? 'skipped'
          : (definition.outputs[0]?.name ?? 'next');
        const answer = { output, result: { frequencyCapped: true, reason: capped } };
        // The log first: a skipped entry is not a send, so a retry after a crash here counts the same.
        await logDelivery('skipped', now(), capped);
        await saveActionRun(answer);
        return { held: false, ...answer };
      }
    }

    if (definition.category === 'message') {
      const channel = CHANNEL_OF[input.action.type] ?? input.action.type;
      const limit = await sendLimitOf(connection, input.workspaceId, channel);
      if (limit) {
        const slot = await reserveSendSlot(connection, {
          workspaceId: input.workspaceId,
          channel,
          key: input.idempotencyKey,
          limit,
          now: now().getTime(),
        });
        if (!slot.sendNow) {
          if (slot.firstTime)
            await countThrottledSend(connection, input.workspaceId, input.journeyId, input.nodeId);
          // Waits, never dropped: Temporal retries this step when its window opens (no workflow change).
          throw ApplicationFailure.create({
            type: 'SendThrottled',
            message: `${channel} send limit of ${limit.messages} per ${limit.per.amount} ${limit.per.unit} reached; this send waits for ${new Date(slot.sendAt).toISOString()}`,
            nextRetryDelay: Math.max(1, slot.sendAt - now().getTime()),
          });
        }
      }
    }

    let heartbeat: (details?: unknown) => void = () => undefined;
    let keepAlive: NodeJS.Timeout | undefined;
    try {
      const current = Context.current();
      let lastDetails: unknown;
      heartbeat = (details) => {
        lastDetails = details;
        current.heartbeat(details);
      };
      // The workflow sets a heartbeat timeout, so a step on a worker that died (kill -9, OOM) is retried
      // within seconds instead of after the 5-minute start-to-close timeout; a live step keeps beating.
      keepAlive = setInterval(() => current.heartbeat(lastDetails), ACTION_HEARTBEAT_MS);
    } catch {
      // outside an activity
    }
    const ctx: ActionContext = {
      contact: {
        id: input.contactId,
        traits: contact ? decodeDocumentKeys(contact.traits ?? {}) : {},
        profile: contact ? await loadProfile(connection, contact) : {},
      },
      journey: {
        id: input.journeyId,
        version: input.version,
        runId: input.runId,
        nodeId: input.nodeId,
      },
      workspaceId: input.workspaceId,
      workspace: await actionWorkspace(input.workspaceId),
      idempotencyKey: input.idempotencyKey,
      log: {
        info: (message, fields) =>
          console.info(
            JSON.stringify({
              level: 'info',
              message,
              ...fields,
              idempotencyKey: input.idempotencyKey,
            }),
          ),
        warn: (message, fields) =>
          console.warn(
            JSON.stringify({
              level: 'warn',
              message,
              ...fields,
              idempotencyKey: input.idempotencyKey,
            }),
          ),
        error: (message, fields) =>
          console.error(
            JSON.stringify({
              level: 'error',
              message,
              ...fields,
              idempotencyKey: input.idempotencyKey,
            }),
          ),
      },
      credentials: {
        get: async (name) => {
          if (!deps.secretKey)
            throw ApplicationFailure.nonRetryable(
              `credential "${name}" cannot be opened: CAIRN_SECRET_KEY is not set on the worker`,
              'PermanentActionError',
            );
          try {
            return await readCredential(connection, deps.secretKey, input.workspaceId, name);
          } catch (error) {
            throw ApplicationFailure.nonRetryable((error as Error).message, 'PermanentActionError');
          }
        },
      },
      heartbeat,
      services: {
        ...createActionServices(deps, {
          workspaceId: input.workspaceId,
          idempotencyKey: input.idempotencyKey,
          now,
        }),
        recordOutcome: (outcome) => saveActionRun(outcome),
      },
      now,
    };

    let answer;
    try {
      answer = await executeAction(definition, ctx, input.config);
    } catch (error) {
      if (isPermanentActionError(error))
        throw ApplicationFailure.nonRetryable((error as Error).message, 'PermanentActionError');
      throw error;
    } finally {
      clearInterval(keepAlive);
    }

    await saveActionRun(answer);
    if (definition.category === 'message') {
      const skipped = answer.output === 'skipped';
      const reason = skipped
        ? (answer.result as { reason?: unknown } | undefined)?.reason
        : undefined;
      await logDelivery(
        skipped ? 'skipped' : 'sent',
        now(),
        typeof reason === 'string' ? reason : undefined,
      );
    }
    return {
      held: false,
      output: answer.output,
      ...(answer.result !== undefined ? { result: answer.result } : {}),
    };
  };
}
