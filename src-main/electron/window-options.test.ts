import { describe, expect, it } from 'vitest';
import { windowOptions } from './window-options';
import { decideNavigation, decideWindowOpen, isAppUrl, isSafeExternalUrl, isTrustedSender } from './url-policy';

describe('windowOptions', () => {
  it('turns on every security flag', () => {
    const { webPreferences } = windowOptions('/app/out/preload/index.cjs');
    expect(webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
  });

  it('uses remembered bounds', () => {
    expect(windowOptions('/p', { x: 10, y: 20, width: 1000, height: 700 })).toMatchObject({
      x: 10,
      y: 20,
      width: 1000,
      height: 700,
    });
  });
});

describe('URL policy', () => {
  const file = 'file:///Applications/Quire.app/Contents/Resources/app.asar/out/renderer/index.html';

  it.each([
    [file, true],
    [`${file}#/spend`, true],
    ['file:///etc/passwd', false],
    ['file://attacker/Applications/Quire.app/Contents/Resources/app.asar/out/renderer/index.html', false],
    ['https://example.com/', false],
    ['javascript:alert(1)', false],
  ])('isAppUrl(%s) = %s', (url, expected) => expect(isAppUrl(url, file)).toBe(expected));

  it('treats the dev server origin as the app', () => {
    expect(isAppUrl('http://localhost:5173/#/models', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });

  it.each([
    ['https://huggingface.co/Qwen', true],
    ['http://example.com', true],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://server/share', false],
    ['https://user:pass@example.com', false],
    ['not a url', false],
  ])('isSafeExternalUrl(%s) = %s', (url, expected) => expect(isSafeExternalUrl(url)).toBe(expected));

  it('never opens a new window; only safe links go to the system browser', () => {
    expect(decideWindowOpen('https://openai.com/pricing')).toEqual({
      action: 'deny',
      openExternally: 'https://openai.com/pricing',
    });
    expect(decideWindowOpen('file:///etc/passwd')).toEqual({ action: 'deny', openExternally: null });
  });

  it('keeps in-window navigation on the app page; web links go to the browser, anything else is dropped', () => {
    expect(decideNavigation(`${file}#/models`, file)).toEqual({ allow: true, openExternally: null });
    expect(decideNavigation('https://huggingface.co/Qwen', file)).toEqual({
      allow: false,
      openExternally: 'https://huggingface.co/Qwen',
    });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'quire-evil://x']) {
      expect(decideNavigation(url, file)).toEqual({ allow: false, openExternally: null });
    }
  });

  it('trusts IPC only from a live frame showing the app page', () => {
    expect(isTrustedSender({ url: file }, file)).toBe(true);
    expect(isTrustedSender(null, file)).toBe(false);
    expect(isTrustedSender(undefined, file)).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/' }, file)).toBe(false);
  });
});
