// How API keys are encrypted at rest. Electron's safeStorage implements it in the app (src-main/electron); the browser
// host has no OS keychain and keeps keys in environment variables or a 0600 file instead.

export interface SecretCipher {
  /** e.g. "keychain" on macOS, "gnome_libsecret" / "kwallet" / "basic_text" on Linux (safeStorage's names). */
  backend(): string;
  /** False when encryption is not possible at all. */
  isAvailable(): boolean;
  /**
   * True when the backend does not really protect secrets (Linux `basic_text`): the writer must agree before a key is
   * stored this way.
   */
  isWeak(): boolean;
  encrypt(plainText: string): Buffer;
  decrypt(cipherText: Buffer): string;
}
