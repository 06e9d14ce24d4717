// ActionServices on the real database and Temporal: what an action may do to the world besides its own call.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ActionServices, ContactTraitsUpdate, RecordedEvent } from '@cairn/action-sdk';
import type { CairnEvent } from '@cairn/core';
import {
  findContact,
  getTemplateVersion,
  ingestEvents,
  isSubscribedTo,
  storeInAppMessage,
  updateContactTraits,
  type Database,
} from '@cairn/db';
import { JOURNEY_SIGNALS, journeyWorkflowId } from '@cairn/workflows';
import { enrollInJourney } from '../journeys/enroll.js';

export interface ActionServiceDeps {
  db: Database;
  client: Client;
  taskQueue: string;
  searchAttributes?: boolean;
}

/** Traits and tags after an update; pure so the conflict loop can recompute it from a fresh read. */
export function applyTraitsUpdate(
  traits: Record<string, unknown>,
  tags: string[],
  update: ContactTraitsUpdate,
) {
  const nextTraits = { ...traits, ...(update.setTraits ?? {}) };
  for (const name of update.unsetTraits ?? []) delete nextTraits[name];
  const removed = new Set(update.removeTags ?? []);
  const nextTags = [...new Set([...tags, ...(update.addTags ?? [])])].filter(
    (t) => !removed.has(t),
  );
  return { traits: nextTraits, tags: nextTags };
}

export function createActionServices(
  deps: ActionServiceDeps,
  scope: { workspaceId: string; idempotencyKey: string; now: () => Date },
): ActionServices {
  const { connection } = deps.db;
  const { workspaceId } = scope;

  return {
    async updateContact(contactId, update) {
      const outcome = await updateContactTraits(connection, workspaceId, contactId, (current) => {
        const next = applyTraitsUpdate(current.traits, current.tags, update);
        return {
          ...next,
          profileTraits: applyTraitsUpdate(current.profileTraits, [], update).traits,
        };
      });
      if (outcome === 'missing')
        throw new Error(
          `updateContact: contact "${contactId}" does not exist in workspace ${workspaceId}`,
        );
      if (outcome === 'conflict')
        throw new Error(
          `updateContact: contact "${contactId}" kept changing concurrently; the step will be retried`,
        );
    },

    async storeInAppMessage(contactId, message) {
      await storeInAppMessage(connection, workspaceId, contactId, message);
    },

    async startJourney(journeyId, contactId) {
      await enrollInJourney(deps, {
        workspaceId,
        journeyId,
        contactId,
        entry: { kind: 'action', at: scope.now().toISOString() },
        // The same step retried reserves the same enrolment, so the target run starts once.
        enrolledBy: `action:${scope.idempotencyKey}`,
        now: scope.now(),
      });
    },

    async stopJourney(journeyId, contactId) {
      try {
        await deps.client.workflow
          .getHandle(journeyWorkflowId(workspaceId, journeyId, contactId))
          .signal(JOURNEY_SIGNALS.control, 'stop');
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },

    async recordEvent(contactId, event: RecordedEvent) {
      const at = scope.now().getTime();
      const cairnEvent: CairnEvent = {
        messageId: event.messageId,
        type: 'track',
        userId: contactId,
        event: event.event,
        properties: event.properties,
        traits: {},
        context: { library: { name: 'cairn-journeys' } },
        timestamp: at,
        receivedAt: at,
      };
      await ingestEvents(connection, workspaceId, [cairnEvent], { now: at });
    },

    async isSubscribed(contactId, channel) {
      const doc = await findContact(connection, workspaceId, contactId, ['subscriptions']);
      return isSubscribedTo(doc?.subscriptions, channel);
    },

    async messageTemplate(id, version) {
      return getTemplateVersion(connection, workspaceId, id, version, { includeDeleted: true });
    },
  };
}
