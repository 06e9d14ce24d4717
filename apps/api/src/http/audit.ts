import type { Response } from 'express';
import { diffDocuments, recordAudit, type AuditChange } from '@cairn/db';
import type { ApiContext } from '../context.js';
import { principalOf } from './auth.js';

export interface AuditInput {
  /** `<resource>.<verb>`: created, updated, deleted, published, paused, resumed, archived, revoked ... */
  action: string;
  resource: { type: string; id: string; name?: string };
  /** The stored document before and after (undefined when created or deleted); diffed into `changes`. */
  before?: unknown;
  after?: unknown;
  /** Paths whose values never enter the log (credential values, password hashes). */
  redact?: string[];
  /** Changes computed by the route instead of a diff. */
  changes?: AuditChange[];
}

/** The one helper every changing route calls after its write: who (from the request), what, and the diff. */
export async function audit(ctx: ApiContext, res: Response, input: AuditInput): Promise<void> {
  const principal = principalOf(res);
  const changes =
    input.changes ??
    diffDocuments(input.before, input.after, input.redact ? { redact: input.redact } : {});
  // The designer saves whole documents; a save that changed nothing is not news for the log.
  if (changes.length === 0 && input.action.endsWith('.updated')) {
    res.locals.audited = true;
    return;
  }
  await recordAudit(ctx.db.connection, {
    workspaceId: principal.workspaceId,
    actor: principal.actor,
    action: input.action,
    resource: input.resource,
    changes,
  });
  res.locals.audited = true;
}
