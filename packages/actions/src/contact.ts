import { z } from 'zod';
import { defineAction, type JsonValue } from '@cairn/action-sdk';
import { createSandboxedLiquid, renderField, templateScope } from './liquid.js';

const traitName = z.string().min(1, 'must not be empty').max(200);
const tag = z.string().min(1, 'must not be empty').max(100);
const traitValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.string(), z.number(), z.boolean()])),
]);

export const updateContactConfigSchema = z.object({
  setTraits: z
    .record(traitName, traitValue)
    .default({})
    .describe('Trait values; strings may use Liquid, e.g. "{{ contact.traits.plan }}-churned"'),
  unsetTraits: z.array(traitName).default([]),
  addTags: z.array(tag).default([]),
  removeTags: z.array(tag).default([]),
});

export function createUpdateContactAction() {
  const engine = createSandboxedLiquid({ escape: 'none' });
  return defineAction({
    type: 'updateContact',
    version: 1,
    title: 'Update contact',
    description: 'Sets or removes traits and adds or removes tags on the contact.',
    category: 'data',
    icon: 'user-pen',
    configSchema: updateContactConfigSchema,
    async run(ctx, config) {
      const scope = templateScope(ctx);
      const setTraits: Record<string, JsonValue> = {};
      for (const [name, value] of Object.entries(config.setTraits)) {
        setTraits[name] =
          typeof value === 'string'
            ? await renderField(engine, `setTraits.${name}`, value, scope)
            : value;
      }
      const update = {
        ...(Object.keys(setTraits).length ? { setTraits } : {}),
        ...(config.unsetTraits.length ? { unsetTraits: config.unsetTraits } : {}),
        ...(config.addTags.length ? { addTags: config.addTags } : {}),
        ...(config.removeTags.length ? { removeTags: config.removeTags } : {}),
      };
      if (Object.keys(update).length === 0) {
        ctx.log.warn(
          'updateContact has nothing to change; configure setTraits, unsetTraits, addTags or removeTags',
        );
        return { output: 'next', result: { changed: false } };
      }
      await ctx.services.updateContact(ctx.contact.id, update);
      return { output: 'next', result: { changed: true } };
    },
  });
}

export const inAppMessageConfigSchema = z.object({
  title: z.string().min(1, 'must not be empty').max(200),
  body: z
    .string()
    .min(1, 'must not be empty')
    .describe('Liquid; rendered as plain text, so clients must display it as text'),
  cta: z
    .object({
      label: z.string().min(1, 'must not be empty'),
      url: z
        .string()
        .regex(/^(https?:\/\/|\/)/, 'must be an http(s) URL or an app path starting with /'),
    })
    .optional(),
  expiresAfterDays: z.number().int().min(1, 'must be ≥ 1').max(365).optional(),
});

export function createInAppMessageAction() {
  const engine = createSandboxedLiquid({ escape: 'none' });
  return defineAction({
    type: 'inAppMessage',
    version: 1,
    title: 'In-app message',
    description: 'Stores a message that the contact sees next time they open your app.',
    category: 'message',
    icon: 'message-square',
    configSchema: inAppMessageConfigSchema,
    async run(ctx, config) {
      const scope = templateScope(ctx);
      const now = ctx.now();
      const message = {
        messageId: ctx.idempotencyKey,
        journeyId: ctx.journey.id,
        nodeId: ctx.journey.nodeId,
        title: await renderField(engine, 'title', config.title, scope),
        body: await renderField(engine, 'body', config.body, scope),
        ...(config.cta
          ? {
              cta: {
                label: await renderField(engine, 'cta.label', config.cta.label, scope),
                url: config.cta.url,
              },
            }
          : {}),
        createdAt: now.toISOString(),
        ...(config.expiresAfterDays
          ? {
              expiresAt: new Date(
                now.getTime() + config.expiresAfterDays * 86_400_000,
              ).toISOString(),
            }
          : {}),
      };
      await ctx.services.storeInAppMessage(ctx.contact.id, message);
      return { output: 'next', result: { messageId: message.messageId } };
    },
  });
}

const journeyConfigSchema = z.object({ journeyId: z.string().min(1, 'must name a journey id') });

export function createStartJourneyAction() {
  return defineAction({
    type: 'startJourney',
    version: 1,
    title: 'Start journey',
    description: 'Enrolls the contact in another journey (its re-entry rule still applies).',
    category: 'flow',
    icon: 'play',
    configSchema: journeyConfigSchema,
    uiHints: { widgets: { journeyId: 'journey-picker' } },
    async run(ctx, config) {
      await ctx.services.startJourney(config.journeyId, ctx.contact.id);
      return { output: 'next' };
    },
  });
}

export function createStopJourneyAction() {
  return defineAction({
    type: 'stopJourney',
    version: 1,
    title: 'Stop journey',
    description: 'Takes the contact out of another journey if they are in it.',
    category: 'flow',
    icon: 'square',
    configSchema: journeyConfigSchema,
    uiHints: { widgets: { journeyId: 'journey-picker' } },
    async run(ctx, config) {
      await ctx.services.stopJourney(config.journeyId, ctx.contact.id);
      return { output: 'next' };
    },
  });
}
