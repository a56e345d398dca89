import { describe, expect, it } from 'vitest';
import { expandHome } from './home-path';

describe('expandHome: "~" in a typed path is the home folder', () => {
  it('expands ~ and ~/…, trims what was pasted, and leaves other paths alone', () => {
    expect(expandHome('~/Downloads/model.gguf', '/Users/ada')).toBe('/Users/ada/Downloads/model.gguf');
    expect(expandHome('  ~  ', '/Users/ada')).toBe('/Users/ada');
    expect(expandHome('/tmp/model.gguf', '/Users/ada')).toBe('/tmp/model.gguf');
    // Another user's home (~bob) is not guessed at.
    expect(expandHome('~bob/model.gguf', '/Users/ada')).toBe('~bob/model.gguf');
  });
});
