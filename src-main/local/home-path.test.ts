import { describe, expect, it } from 'vitest';
import { typedPath } from './home-path';

describe('typedPath: a path as a writer types or pastes it', () => {
  it('expands ~ and ~/…, trims what was pasted, and leaves other paths alone', () => {
    expect(typedPath('~/Downloads/model.gguf', '/Users/ada')).toBe('/Users/ada/Downloads/model.gguf');
    expect(typedPath('  ~  ', '/Users/ada')).toBe('/Users/ada');
    expect(typedPath('/tmp/model.gguf', '/Users/ada')).toBe('/tmp/model.gguf');
    // Another user's home (~bob) is not guessed at.
    expect(typedPath('~bob/model.gguf', '/Users/ada')).toBe('~bob/model.gguf');
  });

  it('reads a path as Terminal, Finder or another app pastes it: quoted, escaped, or as a file:// address', () => {
    // Each was "There is no file or folder at '/Users/ada/My Novel.md'." with the file right there.
    expect(typedPath("'/Users/ada/My Novel.md'", '/Users/ada')).toBe('/Users/ada/My Novel.md');
    expect(typedPath('"~/Drafts/The Storm.md"', '/Users/ada')).toBe('/Users/ada/Drafts/The Storm.md');
    // A file dragged into Terminal: its spaces and brackets escaped with backslashes.
    expect(typedPath('/Users/ada/My\\ Novel\\ \\(draft\\).md', '/Users/ada')).toBe('/Users/ada/My Novel (draft).md');
    expect(typedPath('file:///Users/ada/My%20Novel%20%C3%A9.md', '/Users/ada')).toBe('/Users/ada/My Novel é.md');
    // A quote that is part of the name stays.
    expect(typedPath("/Users/ada/Ada's novel.md", '/Users/ada')).toBe("/Users/ada/Ada's novel.md");
  });
});
