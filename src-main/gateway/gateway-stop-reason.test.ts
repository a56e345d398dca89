// Why an answer ended, as each API says it: an answer that stopped at one of the app's stop sequences is Anthropic's
// stop_reason "stop_sequence" with the sequence, whichever provider answered (where it says which), and OpenAI's
// finish_reason "stop", as OpenAI itself reports one. Checked with the real `openai` and `@anthropic-ai/sdk` clients
// against the loopback fake provider.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useTwoCloudGateway, withGateway, type GatewayApp } from '../../test/support/gateway-app';

const { fake, open } = useTwoCloudGateway();

const anthropic = (g: GatewayApp) =>
  new Anthropic({ baseURL: g.baseUrl.replace(/\/v1$/, ''), apiKey: g.token(), maxRetries: 0 });
const runIdOf = (id: string) => id.replace(/^(chatcmpl-|msg_)/, '');
const asked = {
  max_tokens: 100,
  stop_sequences: ['THE END', 'END'],
  messages: [{ role: 'user' as const, content: 'Tell it.' }],
};

describe('an answer that stopped at a stop sequence', () => {
  it('anthropic client, whole and streamed: stop_reason "stop_sequence" with the sequence that matched', async () => {
    await withGateway(open(), async (g) => {
      fake().script('cloud-claude', { text: 'Alpha beta END gamma delta' });
      const whole = await anthropic(g).messages.create({ model: 'cloud-claude', ...asked });
      expect(whole).toMatchObject({
        content: [{ type: 'text', text: 'Alpha beta ' }],
        stop_reason: 'stop_sequence',
        stop_sequence: 'END',
      });
      expect(g.runs.get(runIdOf(whole.id)).stop_sequence).toBe('END');
      fake().script('cloud-claude', { text: 'Alpha beta THE END gamma' });
      const streamed = await anthropic(g)
        .messages.stream({ model: 'cloud-claude', ...asked })
        .finalMessage();
      expect(streamed).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'THE END' });
      expect(streamed.content).toEqual([{ type: 'text', text: 'Alpha beta ' }]);
    });
  });

  it('anthropic client to an OpenAI-compatible server that says which sequence ended it: the same', async () => {
    await withGateway(open(), async (g) => {
      fake().script('cloud-gpt', { text: 'Alpha beta END gamma', saysStop: true });
      const whole = await anthropic(g).messages.create({ model: 'cloud-gpt', ...asked });
      expect(whole).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
      fake().script('cloud-gpt', { text: 'Alpha THE END beta', saysStop: true });
      const streamed = await anthropic(g)
        .messages.stream({ model: 'cloud-gpt', ...asked })
        .finalMessage();
      expect(streamed).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'THE END' });
      // OpenAI's own API says only "stop", for a stop sequence or the model's own end: nothing shows it was one.
      fake().script('cloud-gpt', { text: 'Alpha beta END gamma' });
      const unsaid = await anthropic(g).messages.create({ model: 'cloud-gpt', ...asked, max_tokens: 99 });
      expect(unsaid).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
    });
  });

  it('an answer from the run cache says the same as the run it was kept from', async () => {
    await withGateway(open(), async (g) => {
      g.app.services.settings.set({ runs: { cache_enabled: true } });
      fake().script('cloud-claude', { text: 'Alpha beta END gamma delta' });
      const first = await anthropic(g).messages.create({ model: 'cloud-claude', ...asked });
      const again = await anthropic(g).messages.create({ model: 'cloud-claude', ...asked });
      expect(g.runs.get(runIdOf(again.id)).cache_hit).toBe(true);
      expect(fake().requests).toHaveLength(1);
      for (const message of [first, again]) {
        expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
      }
    });
  });

  it('openai client: finish_reason "stop", as OpenAI reports a stop sequence, whole and streamed', async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      fake().script('cloud-claude', { text: 'Alpha beta END gamma' });
      const whole = await client.chat.completions.create({
        model: 'cloud-claude',
        messages: [{ role: 'user', content: 'Tell it.' }],
        stop: ['END'],
      });
      expect(whole.choices[0]).toMatchObject({ message: { content: 'Alpha beta ' }, finish_reason: 'stop' });
      fake().script('cloud-claude', { text: 'Alpha beta END gamma' });
      const finishes: string[] = [];
      for await (const chunk of await client.chat.completions.create({
        model: 'cloud-claude',
        messages: [{ role: 'user', content: 'Tell it again.' }],
        stop: ['END'],
        stream: true,
      }))
        if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      expect(finishes).toEqual(['stop']);
    });
  });
});
