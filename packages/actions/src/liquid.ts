import { Liquid } from 'liquidjs';
import type { ActionContext } from '@cairn/action-sdk';
import { PermanentActionError } from '@cairn/action-sdk';

/**
 * A Liquid engine for marketer-written templates: no file system (include/render/layout find
 * nothing), only own properties of the data, and limits so one template cannot stall the worker.
 */
export function createSandboxedLiquid(options: { escape: 'html' | 'uri' | 'none' }): Liquid {
  return new Liquid({
    templates: {},
    relativeReference: false,
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    outputEscape:
      options.escape === 'html'
        ? 'escape'
        : options.escape === 'uri'
          ? (value: unknown) => encodeURIComponent(String(value))
          : undefined,
    parseLimit: 200_000,
    renderLimit: 2_000,
    memoryLimit: 20_000_000,
  });
}

/** What a template can read: `{{ contact.traits.firstName }}`, `{{ journey.id }}`. */
export function templateScope(
  ctx: ActionContext,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    contact: { id: ctx.contact.id, traits: ctx.contact.traits, profile: ctx.contact.profile },
    journey: { ...ctx.journey },
    ...extra,
  };
}

/** Largest rendered field: far above any real email or webhook body, far below what would hurt the worker or a mailbox. */
export const MAX_RENDERED_CHARS = 1_000_000;

/** Template mistakes cannot be fixed by retrying, so they fail permanently and name the field. */
export async function renderField(
  engine: Liquid,
  field: string,
  template: string,
  scope: Record<string, unknown>,
): Promise<string> {
  let rendered: string;
  try {
    rendered = String(await engine.parseAndRender(template, scope));
  } catch (error) {
    throw new PermanentActionError(`${field}: template error: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (rendered.length > MAX_RENDERED_CHARS) {
    throw new PermanentActionError(
      `${field}: the template renders to ${rendered.length} characters, more than the ${MAX_RENDERED_CHARS} allowed; check its loops`,
    );
  }
  return rendered;
}
