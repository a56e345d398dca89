import { describe, expect, it } from 'vitest';
import { isQuireError } from '../errors';
import { SafeStorageCipher, type SafeStorageLike } from './safe-storage-cipher';

/** A stand-in for Electron's safeStorage: a reversible transform that is visibly not the plain text. */
function fakeSafeStorage(overrides: Partial<SafeStorageLike> & { backend?: string; available?: boolean } = {}) {
  const { backend = 'gnome_libsecret', available = true, ...rest } = overrides;
  const calls: string[] = [];
  const storage: SafeStorageLike = {
    isEncryptionAvailable: () => available,
    encryptString: (plain) => {
      calls.push('encrypt');
      return Buffer.from(`v10${Buffer.from(plain, 'utf8').toString('base64')}`, 'utf8');
    },
    decryptString: (encrypted) => {
      calls.push('decrypt');
      const text = encrypted.toString('utf8');
      if (!text.startsWith('v10')) throw new Error(`Error while decrypting the ciphertext ${text}`);
      return Buffer.from(text.slice(3), 'base64').toString('utf8');
    },
    getSelectedStorageBackend: () => backend,
    ...rest,
  };
  return { storage, calls };
}

describe('SafeStorageCipher', () => {
  it('round-trips a key through safeStorage and never stores the plain text', () => {
    const { storage, calls } = fakeSafeStorage();
    const cipher = new SafeStorageCipher(storage, 'linux');
    const secret = 'sk-proj-abcdef0123456789';
    const encrypted = cipher.encrypt(secret);
    expect(encrypted.toString('utf8')).not.toContain(secret);
    expect(cipher.decrypt(encrypted)).toBe(secret);
    expect(calls).toEqual(['encrypt', 'decrypt']);
  });

  it('names the backend: the Keychain on macOS, safeStorage’s choice on Linux', () => {
    expect(new SafeStorageCipher(fakeSafeStorage().storage, 'darwin').backend()).toBe('keychain');
    expect(new SafeStorageCipher(fakeSafeStorage({ backend: 'kwallet6' }).storage, 'linux').backend()).toBe('kwallet6');
    const throwing = fakeSafeStorage({
      getSelectedStorageBackend: () => {
        throw new Error('not supported');
      },
    });
    expect(new SafeStorageCipher(throwing.storage, 'linux').backend()).toBe('unknown');
  });

  it.each([
    ['linux', 'basic_text', true],
    ['linux', 'unknown', true],
    ['linux', 'gnome_libsecret', false],
    ['linux', 'kwallet5', false],
    ['darwin', 'basic_text', false],
  ] as const)('on %s with %s, weak = %s', (platform, backend, weak) => {
    expect(new SafeStorageCipher(fakeSafeStorage({ backend }).storage, platform).isWeak()).toBe(weak);
  });

  it('refuses to encrypt or decrypt when encryption is unavailable, without touching safeStorage', () => {
    const { storage, calls } = fakeSafeStorage({ available: false });
    const cipher = new SafeStorageCipher(storage, 'linux');
    expect(cipher.isAvailable()).toBe(false);
    expect(() => cipher.encrypt('sk-1')).toThrow(expect.objectContaining({ code: 'unavailable' }));
    expect(() => cipher.decrypt(Buffer.from('v10x'))).toThrow(expect.objectContaining({ code: 'unavailable' }));
    expect(calls).toEqual([]);
  });

  it('reports a failed decryption as unavailable without echoing the ciphertext', () => {
    const cipher = new SafeStorageCipher(fakeSafeStorage().storage, 'linux');
    let caught: unknown;
    try {
      cipher.decrypt(Buffer.from('garbage-ciphertext'));
    } catch (error) {
      caught = error;
    }
    expect(isQuireError(caught) && caught.code).toBe('unavailable');
    // "…enter the key again.": its own step, no general one after it.
    expect(isQuireError(caught) && caught.advised).toBe(true);
    expect(String((caught as Error).message)).not.toContain('garbage-ciphertext');
    expect(String((caught as Error).cause)).not.toContain('garbage-ciphertext');
  });
});
