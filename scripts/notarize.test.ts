import { describe, expect, it } from 'vitest';
import { notarizeIfConfigured, notarizeOptions, type NotarizeOptions } from './notarize';

const APP = '/build/mac-arm64/Quire.app';
const context = (platform = 'darwin') => ({
  electronPlatformName: platform,
  appOutDir: '/build/mac-arm64',
  packager: { appInfo: { productFilename: 'Quire' } },
});

describe('notarizeOptions', () => {
  it('is null without credentials, so a local build just skips notarization', () => {
    expect(notarizeOptions({}, APP)).toBeNull();
    expect(notarizeOptions({ APPLE_ID: '  ' }, APP)).toBeNull();
  });

  it('reads each of the three credential sets notarytool accepts', () => {
    expect(
      notarizeOptions({ APPLE_API_KEY: '/k.p8', APPLE_API_KEY_ID: 'KEYID', APPLE_API_ISSUER: 'issuer' }, APP),
    ).toEqual({ appPath: APP, appleApiKey: '/k.p8', appleApiKeyId: 'KEYID', appleApiIssuer: 'issuer' });
    expect(
      notarizeOptions({ APPLE_ID: 'a@b.c', APPLE_APP_SPECIFIC_PASSWORD: 'pw', APPLE_TEAM_ID: 'TEAM' }, APP),
    ).toEqual({ appPath: APP, appleId: 'a@b.c', appleIdPassword: 'pw', teamId: 'TEAM' });
    expect(notarizeOptions({ APPLE_KEYCHAIN_PROFILE: 'quire', APPLE_KEYCHAIN: 'ci.keychain' }, APP)).toEqual({
      appPath: APP,
      keychainProfile: 'quire',
      keychain: 'ci.keychain',
    });
  });

  it('refuses an incomplete set, naming the missing variables but never a value', () => {
    const attempt = () =>
      notarizeOptions({ APPLE_ID: 'writer@example.com', APPLE_APP_SPECIFIC_PASSWORD: 's3cret' }, APP);
    expect(attempt).toThrow(/APPLE_TEAM_ID missing/);
    try {
      attempt();
    } catch (error) {
      expect(String(error)).not.toMatch(/s3cret|writer@example/);
    }
  });
});

describe('notarizeIfConfigured (the afterSign hook)', () => {
  it('does not call Apple without credentials, or for other platforms', async () => {
    const calls: NotarizeOptions[] = [];
    const notarize = async (options: NotarizeOptions) => void calls.push(options);
    const log = () => {};
    await expect(notarizeIfConfigured(context(), { env: {}, notarize, log })).resolves.toBe('skipped');
    const env = { APPLE_KEYCHAIN_PROFILE: 'quire' };
    await expect(notarizeIfConfigured(context('linux'), { env, notarize, log })).resolves.toBe('skipped');
    expect(calls).toEqual([]);
  });

  it('notarizes the signed .app when credentials are present', async () => {
    const calls: NotarizeOptions[] = [];
    const result = await notarizeIfConfigured(context(), {
      env: { APPLE_KEYCHAIN_PROFILE: 'quire' },
      notarize: async (options) => void calls.push(options),
      log: () => {},
    });
    expect(result).toBe('notarized');
    expect(calls).toEqual([{ appPath: APP, keychainProfile: 'quire' }]);
  });
});
