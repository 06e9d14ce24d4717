import { activityInfo, heartbeat } from '@temporalio/activity';
import {
  backfillSegmentPage,
  failSegmentBackfill,
  finishSegmentBackfill,
  sweepDueContacts,
  type Database,
} from '@cairn/db';
import type { SegmentActivities } from '@cairn/workflows';

type Connection = Database['connection'];

/** The segment activities, bound to the worker's database connection. */
export function createSegmentActivities(connection: Connection): SegmentActivities {
  return {
    async backfillSegmentPage(input) {
      // A retried page resumes after the last contact its previous attempt reported done.
      const resumed = activityInfo().heartbeatDetails as
        { lastId?: string; processed?: number } | undefined;
      const r = await backfillSegmentPage(connection, {
        ...input,
        afterId: resumed?.lastId ?? input.afterId,
        onProgress: ({ lastId, processed }) => heartbeat({ lastId, processed }),
      });
      return r;
    },
    finishSegmentBackfill: (input) => finishSegmentBackfill(connection, input),
    failSegmentBackfill: (input) => failSegmentBackfill(connection, input),
    async sweepDueSegmentContacts() {
      const r = await sweepDueContacts(connection, {});
      return {
        contactsEvaluated: r.contactsEvaluated,
        contactsSkipped: r.contactsSkipped,
        entered: r.entered,
        exited: r.exited,
      };
    },
  };
}
