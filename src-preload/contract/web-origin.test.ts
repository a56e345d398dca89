import { describe, expect, it } from 'vitest';
import { contract } from '../contract';
import { readOrigin } from './web-origin';

const setOrigins = (origins: string[]) => contract['gateway:set'].input.safeParse({ origins });

describe('the origins the gateway may allow', () => {
  it('takes web and app origins, written as the browser sends them in its Origin header', () => {
    const cases: [string, string][] = [
      ['https://app.example.com', 'https://app.example.com'],
      ['http://localhost:3000', 'http://localhost:3000'],
      // Obsidian's desktop app, its iOS app (Android's is http://localhost), a Tauri app, an extension.
      ['app://obsidian.md', 'app://obsidian.md'],
      ['capacitor://localhost', 'capacitor://localhost'],
      ['tauri://localhost', 'tauri://localhost'],
      ['chrome-extension://abcdefghijklmnop', 'chrome-extension://abcdefghijklmnop'],
      // Browsers serialise scheme and host in lower case and leave a scheme's default port out.
      ['https://App.Example.com', 'https://app.example.com'],
      ['HTTPS://app.example.com:443', 'https://app.example.com'],
      ['http://localhost:80', 'http://localhost'],
      ['APP://Obsidian.MD', 'app://obsidian.md'],
      ['https://app.example.com/', 'https://app.example.com'],
      ['http://[::1]:8080', 'http://[::1]:8080'],
    ];
    for (const [typed, sent] of cases) {
      expect(readOrigin(typed), typed).toEqual({ origin: sent });
      expect(setOrigins([typed]), typed).toMatchObject({ success: true, data: { origins: [sent] } });
    }
  });

  it('refuses each other form saying exactly what is wrong with it, and what to write instead', () => {
    const cases: [string, RegExp][] = [
      ['null', /^"null" is the origin every sandboxed page and every page opened from a file sends/],
      [
        'obsidian',
        /^"obsidian" has no scheme: write it as the app sends it, like https:\/\/app\.example\.com or app:\/\/obsidian\.md\.$/,
      ],
      [
        'https://app.example.com/write',
        /^"https:\/\/app\.example\.com\/write" has a path \(\/write\)[^]*: https:\/\/app\.example\.com\.$/,
      ],
      [
        'https://app.example.com?x=1',
        /^"https:\/\/app\.example\.com\?x=1" has more after its host \(\?x=1\)[^]*: https:\/\/app\.example\.com\.$/,
      ],
      [
        'https://me@app.example.com',
        /^"https:\/\/me@app\.example\.com" has a user name[^]*: https:\/\/app\.example\.com\.$/,
      ],
      ['https://*.example.com', /^"https:\/\/\*\.example\.com" has a wildcard/],
      [
        'file:///Users/me/page.html',
        /^"file:\/\/\/Users\/me\/page\.html" is a file: a page opened from a file sends the origin "null"/,
      ],
      ['wss://app.example.com', /^"wss:\/\/app\.example\.com" is a WebSocket address/],
      [
        'https://app.example.com:99999',
        /^"https:\/\/app\.example\.com:99999" is not a valid address: check its host name and port/,
      ],
      ['app://', /^"app:\/\/" has no host/],
    ];
    for (const [typed, says] of cases) {
      const read = readOrigin(typed);
      expect(read, typed).toEqual({ problem: expect.stringMatching(says) });
      const parsed = setOrigins(['https://ok.example.com', typed]);
      expect(parsed.success, typed).toBe(false);
      expect(parsed.error!.issues[0], typed).toMatchObject({
        path: ['origins', 1],
        message: (read as { problem: string }).problem,
      });
    }
  });
});
