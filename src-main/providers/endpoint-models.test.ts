import { describe, expect, it } from 'vitest';
import { listEndpointModels } from './endpoint-models';

/** GET …/models answered with this body, as the server documents it. */
const listed = (body: unknown) =>
  listEndpointModels({ kind: 'openai-compatible', base_url: 'http://127.0.0.1:8000/v1' }, () =>
    Promise.resolve(Response.json(body)),
  );

describe('"Fetch models" reads a model’s context size from whichever field its server sends', () => {
  it('vLLM: max_model_len, the length it serves', async () => {
    const models = await listed({
      object: 'list',
      data: [
        {
          id: 'meta-llama/Llama-3.1-8B-Instruct',
          object: 'model',
          created: 1_727_000_000,
          owned_by: 'vllm',
          root: 'meta-llama/Llama-3.1-8B-Instruct',
          parent: null,
          max_model_len: 8192,
          permission: [{ id: 'modelperm-1', object: 'model_permission', allow_sampling: true }],
        },
      ],
    });
    expect(models).toEqual([{ id: 'meta-llama/Llama-3.1-8B-Instruct', display_name: null, context_window: 8192 }]);
  });

  it('OpenRouter: context_length', async () => {
    const models = await listed({
      data: [
        {
          id: 'mistralai/mistral-nemo',
          canonical_slug: 'mistralai/mistral-nemo',
          name: 'Mistral: Mistral Nemo',
          created: 1_721_347_200,
          context_length: 131_072,
          architecture: { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'] },
          pricing: { prompt: '0.00000002', completion: '0.00000004' },
          top_provider: { context_length: 131_072, max_completion_tokens: 16_384, is_moderated: false },
        },
      ],
    });
    expect(models).toMatchObject([{ id: 'mistralai/mistral-nemo', context_window: 131_072 }]);
  });

  it('LM Studio’s own list (/api/v0/models): max_context_length', async () => {
    const models = await listed({
      object: 'list',
      data: [
        {
          id: 'qwen2-vl-7b-instruct',
          object: 'model',
          type: 'vlm',
          publisher: 'mlx-community',
          arch: 'qwen2_vl',
          compatibility_type: 'mlx',
          quantization: '4bit',
          state: 'not-loaded',
          max_context_length: 32_768,
        },
      ],
    });
    expect(models).toMatchObject([{ id: 'qwen2-vl-7b-instruct', context_window: 32_768 }]);
  });

  it('Ollama’s OpenAI-compatible list has none: left empty, for Quire’s default', async () => {
    const models = await listed({
      object: 'list',
      data: [{ id: 'llama3.2:latest', object: 'model', created: 1_727_000_000, owned_by: 'library' }],
    });
    expect(models).toEqual([{ id: 'llama3.2:latest', display_name: null, context_window: null }]);
  });

  it('a size Quire could not save is left empty rather than offered', async () => {
    const sizes = ['8192', 0, -1, 4096.5, 20_000_000, null];
    const models = await listed({ data: sizes.map((size, i) => ({ id: `m${i}`, max_model_len: size })) });
    expect(models.map((model) => model.context_window)).toEqual(sizes.map(() => null));
  });
});

describe('"Fetch models" says what went wrong in words, with the step that fixes it', () => {
  const refused = () =>
    Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } }));

  it('a local server that is not running: start it, or check the port', async () => {
    // It said "(is the server running?)… Nothing was sent, so nothing was charged. Check that the server is running
    // and that the address is right": the same question twice, and a charge no model list ever makes.
    const fetching = listEndpointModels({ kind: 'openai-compatible', base_url: 'http://127.0.0.1:11434/v1' }, refused);
    await expect(fetching).rejects.toThrow(
      '127.0.0.1:11434 refused the connection: nothing is listening there. Start the server (open Ollama, or start ' +
        'LM Studio’s local server), then fetch again; if it is running, check the port in the address (Ollama uses ' +
        '11434, LM Studio 1234).',
    );
  });

  it('a web page instead of a model list: the address is a page’s, not the API’s', async () => {
    const page = () =>
      Promise.resolve(
        new Response('<html><body>Open WebUI</body></html>', { headers: { 'content-type': 'text/html' } }),
      );
    await expect(
      listEndpointModels({ kind: 'openai-compatible', base_url: 'http://127.0.0.1:3000' }, page),
    ).rejects.toThrow(
      '127.0.0.1:3000 answered with a web page, not a list of models: the address is a website’s or an app’s page ' +
        'rather than its API. An OpenAI-compatible server’s address ends in /v1, such as http://127.0.0.1:11434/v1 ' +
        '(Ollama) or http://127.0.0.1:1234/v1 (LM Studio).',
    );
    const garbled = () =>
      Promise.resolve(new Response('{"data": [', { headers: { 'content-type': 'application/json' } }));
    await expect(
      listEndpointModels({ kind: 'openai-compatible', base_url: 'http://127.0.0.1:8000/v1' }, garbled),
    ).rejects.toThrow(/^127\.0\.0\.1:8000 did not answer with a list of models\. Check the address/);
  });
});
