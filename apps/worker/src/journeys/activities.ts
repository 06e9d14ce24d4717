// The activities the journey workflow calls (see JourneyActivities in @cairn/workflows).
import { ApplicationFailure } from '@temporalio/common';
import { emptyProfile } from '@cairn/core';
import {
  applyJourneyProgress,
  decodeDocumentKeys,
  findContact,
  journeyStatusOf,
  loadJourneyDefinition,
  loadProfile,
  workspaceTimezone,
} from '@cairn/db';
import { journeyRunSlot, type ContactFacts, type JourneyActivities } from '@cairn/workflows';
import { createRunJourneyAction, type RunActionDeps } from '../actions/run-action.js';

export type JourneyActivityDeps = RunActionDeps;

export function createJourneyActivities(deps: JourneyActivityDeps): JourneyActivities {
  const { connection } = deps.db;
  const runAction = createRunJourneyAction(deps);
  const recordJourneyProgress: JourneyActivities['recordJourneyProgress'] = async (progress) => {
    await applyJourneyProgress(connection, {
      ...progress,
      slot: journeyRunSlot(progress.journeyId, progress.key),
    });
  };
  return {
    async loadJourneyVersion({ workspaceId, journeyId, version }) {
      const definition = await loadJourneyDefinition(connection, workspaceId, journeyId, version);
      if (!definition)
        throw ApplicationFailure.nonRetryable(
          `journey ${journeyId} has no published version ${version} in workspace ${workspaceId}`,
          'JourneyVersionMissing',
        );
      const messageActions = new Set<string>();
      for (const node of definition.nodes) {
        if (node.kind !== 'action') continue;
        if (deps.registry.find(node.action.type, node.action.version)?.category === 'message')
          messageActions.add(`${node.action.type}@${node.action.version}`);
      }
      return { definition, messageActions: [...messageActions] };
    },

    async loadContactFacts({
      workspaceId,
      contactId,
      profile: wantProfile = true,
    }): Promise<ContactFacts> {
      const doc = await findContact(
        connection,
        workspaceId,
        contactId,
        wantProfile
          ? [
              'workspaceId',
              'contactId',
              'profile',
              'foldRev',
              'lastFoldIds',
              'mergedFrom',
              'segments',
              'traits',
            ]
          : ['segments', 'traits'],
      );
      if (!doc)
        return {
          exists: false,
          profile: wantProfile ? emptyProfile(contactId) : {},
          memberships: {},
        };
      const profile = wantProfile ? await loadProfile(connection, doc) : undefined;
      const traits = decodeDocumentKeys(doc.traits ?? {});
      const own = traits.timezone ?? profile?.traits?.timezone;
      const timezone = typeof own === 'string' && own !== '' ? own : undefined;
      // A contact's own zone wins over the workspace's, so the workspace is read only without one.
      const workspaceZone = timezone ? undefined : await workspaceTimezone(connection, workspaceId);
      return {
        exists: true,
        profile: profile ?? {},
        memberships: Object.fromEntries(Object.keys(doc.segments ?? {}).map((id) => [id, true])),
        ...(timezone ? { timezone } : {}),
        ...(workspaceZone ? { workspaceTimezone: workspaceZone } : {}),
      };
    },

    recordJourneyProgress,

    // The step that reached this action hands its progress over: written first, so stats never lag the send.
    async runJourneyAction({ progress, ...input }) {
      if (progress) await recordJourneyProgress(progress);
      return runAction(input);
    },

    async journeyStatus({ workspaceId, journeyId }) {
      return { status: (await journeyStatusOf(connection, workspaceId, journeyId)) ?? 'archived' };
    },
  };
}
