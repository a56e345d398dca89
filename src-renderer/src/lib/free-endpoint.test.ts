import { describe, expect, it } from 'vitest';
import { freeOnInternetNote, isOwnNetwork } from './free-endpoint';

const priced = (id: string, input: number, output: number) => ({
  id,
  input_usd_per_mtok: input,
  output_usd_per_mtok: output,
});

describe('a custom endpoint priced at $0', () => {
  it('is taken as the writer’s own server on this Mac or the home network', () => {
    for (const url of [
      'http://127.0.0.1:1234/v1',
      'http://localhost:11434/v1',
      'http://studio.local:8080/v1',
      'http://10.0.0.5/v1',
      'http://192.168.1.20:8000/v1',
      'http://172.20.0.2/v1',
      'http://[::1]:8080/v1',
      'not a url yet',
    ])
      expect(isOwnNetwork(url), url).toBe(true);
    for (const url of [
      'https://openrouter.ai/api/v1',
      'https://gateway.example.com/v1',
      'http://8.8.8.8/v1',
      'http://172.32.0.1/v1',
    ])
      expect(isOwnNetwork(url), url).toBe(false);
  });

  it('on an internet address says its calls will count as free, naming the models', () => {
    expect(freeOnInternetNote('http://127.0.0.1:1234/v1', [priced('llama', 0, 0)])).toBeNull();
    expect(freeOnInternetNote('https://gateway.example.com/v1', [priced('paid', 1, 2)])).toBeNull();
    expect(freeOnInternetNote('https://gateway.example.com/v1', [priced('paid', 1, 2), priced('mystery', 0, 0)])).toBe(
      '“mystery” is priced at $0, so Quire will count its calls as free and never hold them against your budget. If this ' +
        'server charges, enter its prices per million tokens.',
    );
    expect(freeOnInternetNote('https://gateway.example.com/v1', [priced('a', 0, 0), priced('', 0, 0)])).toMatch(
      /^“a”, a model without an id are priced at \$0, so Quire will count their calls as free/,
    );
  });
});
