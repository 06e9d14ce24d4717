import { Liquid } from 'liquidjs';
import { z } from 'zod';
import { PermanentActionError, RetryableActionError, defineAction } from '@cairn/action-sdk';

// Slack's message format treats &, < and > as control characters, so contact data is escaped like this.
const escapeForSlack = (value: unknown) =>
  String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const liquid = new Liquid({
  templates: {},
  ownPropertyOnly: true,
  strictFilters: true,
  outputEscape: escapeForSlack,
  renderLimit: 1000,
});

export const slackMessage = defineAction({
  type: 'slackMessage',
  version: 1,
  title: 'Post to Slack',
  description: 'Posts a message to a Slack channel through an incoming webhook.',
  category: 'integration',
  icon: 'slack',
  configSchema: z.object({
    text: z.string().min(1, 'must not be empty; e.g. "New VIP: {{ contact.traits.email }}"'),
    credential: z
      .string()
      .min(1)
      .default('slack')
      .describe('Credential holding { "webhookUrl": "https://hooks.slack.com/services/..." }'),
  }),
  outputs: [{ name: 'posted', label: 'Posted' }],
  credentials: [
    {
      name: 'slack',
      description: 'Slack incoming webhook: a credential with a "webhookUrl" field',
    },
  ],
  uiHints: { widgets: { text: 'textarea' } },
  async run(ctx, config) {
    const { webhookUrl } = await ctx.credentials.get(config.credential);
    if (!webhookUrl)
      throw new PermanentActionError(
        `credential: "${config.credential}" has no "webhookUrl" field`,
      );

    let text: string;
    try {
      text = String(
        await liquid.parseAndRender(config.text, { contact: ctx.contact, journey: ctx.journey }),
      );
    } catch (error) {
      throw new PermanentActionError(`text: template error: ${(error as Error).message}`);
    }

    let response: Response;
    try {
      response = await fetch(webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-cairn-idempotency-key': ctx.idempotencyKey,
        },
        body: JSON.stringify({ text }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new RetryableActionError(`Slack is unreachable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const answer = (await response.text()).slice(0, 500);
    // Slack answers 4xx for a revoked webhook or a malformed payload: retrying cannot fix either.
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      throw new PermanentActionError(
        `Slack rejected the message (HTTP ${response.status}: ${answer})`,
      );
    }
    if (!response.ok)
      throw new RetryableActionError(`Slack answered HTTP ${response.status}: ${answer}`);
    return { output: 'posted', result: { text } };
  },
});

/** What CAIRN_ACTION_PACKAGES loads: an array of action definitions. */
export const actions = [slackMessage];
export default actions;
