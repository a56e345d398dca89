// API keys at rest, encrypted with Electron's safeStorage (the macOS Keychain; libsecret or KWallet on Linux). Takes a
// safeStorage-shaped object so the rules are tested without Electron.
import { UnavailableError } from '../errors';
import type { SecretCipher } from '../keys/secret-cipher';

/** The part of Electron's `safeStorage` this uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron; absent or throwing elsewhere. */
  getSelectedStorageBackend?(): string;
}

/**
 * Backends that do not protect a key from anyone who can read the data folder. `basic_text` encrypts with a password
 * hard-coded in Chromium; `unknown` means Electron could not tell, so the writer is asked as for basic_text.
 */
const WEAK_BACKENDS = new Set(['basic_text', 'unknown']);

export class SafeStorageCipher implements SecretCipher {
  constructor(
    private readonly safeStorage: SafeStorageLike,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  backend(): string {
    if (this.platform === 'darwin') return 'keychain';
    if (this.platform === 'win32') return 'dpapi';
    try {
      return this.safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    } catch {
      return 'unknown';
    }
  }

  isAvailable(): boolean {
    try {
      return this.safeStorage.isEncryptionAvailable();
    } catch {
      return false;
    }
  }

  isWeak(): boolean {
    return this.platform === 'linux' && WEAK_BACKENDS.has(this.backend());
  }

  encrypt(plainText: string): Buffer {
    this.requireAvailable();
    return this.safeStorage.encryptString(plainText);
  }

  decrypt(cipherText: Buffer): string {
    this.requireAvailable();
    try {
      return this.safeStorage.decryptString(cipherText);
    } catch (error) {
      // The OS keychain's own message may describe the ciphertext; keep it out of ours.
      throw new UnavailableError(
        `A stored API key could not be decrypted with ${this.backend()}; enter the key again.`,
        { cause: error instanceof Error ? new Error(error.name) : undefined, advised: true },
      );
    }
  }

  private requireAvailable(): void {
    if (!this.isAvailable()) {
      throw new UnavailableError(`Encrypted key storage (${this.backend()}) is not available on this system.`);
    }
  }
}
