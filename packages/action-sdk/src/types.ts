import type { z } from 'zod';
import type { InAppMessage } from '@cairn/core';

/** Any value that survives JSON.stringify → JSON.parse unchanged (what Temporal history can hold). */
// `undefined` members are allowed because JSON.stringify drops them (and TS adds them when unioning object literals).
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };

export type ActionCategory = 'message' | 'data' | 'flow' | 'integration';

/** An outgoing edge of an action node in the journey designer. */
export interface ActionOutput {
  name: string;
  label?: string;
}

/** A secret the action reads at run time through ctx.credentials.get(name); config holds only names. */
export interface ActionCredential {
  name: string;
  description: string;
}

export interface ContactTraitsUpdate {
  setTraits?: Record<string, JsonValue>;
  unsetTraits?: string[];
  addTags?: string[];
  removeTags?: string[];
}

export type { InAppMessage };

export interface RecordedEvent {
  event: string;
  properties: Record<string, JsonValue>;
  /** Dedupe key for the event store: a retried activity records the same event once. */
  messageId: string;
}

export type SubscriptionChannel = 'email' | 'inApp' | 'webhook' | (string & {});

/** One saved version of a workspace's message template, as a message action reads it (content is Liquid). */
export interface SavedMessageTemplate {
  id: string;
  version: number;
  name: string;
  channel: string;
  subject?: string;
  html?: string;
  text?: string;
  title?: string;
  body?: string;
}

/** Implemented by the worker (MongoDB + Temporal); faked in memory by @cairn/action-sdk/testing. */
export interface ActionServices {
  updateContact(contactId: string, update: ContactTraitsUpdate): Promise<void>;
  storeInAppMessage(contactId: string, message: InAppMessage): Promise<void>;
  startJourney(journeyId: string, contactId: string): Promise<void>;
  stopJourney(journeyId: string, contactId: string): Promise<void>;
  recordEvent(contactId: string, event: RecordedEvent): Promise<void>;
  isSubscribed(contactId: string, channel: SubscriptionChannel): Promise<boolean>;
  /**
   * One version of a saved message template of the step's workspace, or undefined when there is none.
   * Versions are immutable, so a step pinned to one sends the same content on every retry. Optional:
   * hosts without a template library leave it out and pinned steps fail naming the field.
   */
  messageTemplate?(id: string, version: number): Promise<SavedMessageTemplate | undefined>;
  /**
   * Stores the step's outcome durably at once, right after a side effect that must not repeat (an email
   * the SMTP server accepted) and before anything slow: a retry after a crash then answers from this
   * record instead of doing the effect again. Optional: hosts without it store the outcome when run() returns.
   * `events`: what the step records about the contact after this point (e.g. `Email Sent`); kept with the
   * outcome, so a retry after a crash before `recordEvent` writes them (once each, by messageId).
   */
  recordOutcome?(outcome: {
    output: string;
    result?: unknown;
    events?: RecordedEvent[];
  }): Promise<void>;
}

export interface ActionLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ActionContact {
  id: string;
  traits: Record<string, unknown>;
  /** Behavioral aggregates (counters, purchase stats, engagement) as the segment engine sees them. */
  profile: Record<string, unknown>;
}

export interface ActionJourney {
  id: string;
  version: number;
  runId: string;
  nodeId: string;
}

/** The workspace's defaults an action may use (absent when the host has none). */
export interface ActionWorkspace {
  /** Default email sender; `credential` names a stored SMTP credential to send through. */
  sender?: { name?: string; address: string; credential?: string };
}

export interface ActionContext {
  contact: ActionContact;
  journey: ActionJourney;
  workspaceId?: string;
  workspace?: ActionWorkspace;
  /** Same on every retry of this step; pass it to providers so they can drop duplicates. */
  idempotencyKey: string;
  log: ActionLogger;
  credentials: { get(name: string): Promise<Record<string, string>> };
  /** Tells Temporal the action is alive during long work (retries, slow providers). */
  heartbeat(details?: unknown): void;
  services: ActionServices;
  now(): Date;
}

export interface ActionResult<Output extends string = string> {
  output: Output;
  result?: JsonValue;
}

export interface ActionDefinitionInput<Schema extends z.ZodType, Output extends string> {
  type: string;
  version: number;
  title: string;
  description: string;
  category: ActionCategory;
  icon: string;
  configSchema: Schema;
  outputs?: readonly { name: Output; label?: string }[];
  credentials?: ActionCredential[];
  /** Free-form hints for the designer form (field order, multiline fields, placeholders). */
  uiHints?: Record<string, JsonValue>;
  run(ctx: ActionContext, config: z.output<Schema>): Promise<ActionResult<NoInfer<Output>>>;
}

export interface ActionDefinition<
  Schema extends z.ZodType = z.ZodType,
  Output extends string = string,
> {
  readonly type: string;
  readonly version: number;
  readonly title: string;
  readonly description: string;
  readonly category: ActionCategory;
  readonly icon: string;
  readonly configSchema: Schema;
  readonly outputs: readonly ActionOutput[];
  readonly credentials: readonly ActionCredential[];
  readonly uiHints: Record<string, JsonValue>;
  run(ctx: ActionContext, config: z.output<Schema>): Promise<ActionResult<Output>>;
}

/** What the API and the designer see: JSON only, no handler code. */
export interface ActionManifest {
  type: string;
  version: number;
  title: string;
  description: string;
  category: ActionCategory;
  icon: string;
  outputs: ActionOutput[];
  credentials: ActionCredential[];
  uiHints: Record<string, JsonValue>;
  configJsonSchema: Record<string, unknown>;
}

export interface ConfigProblem {
  path: string;
  message: string;
}
