// API keys from three places: environment variables (read-only), a 0600 JSON file in the data directory (the browser
// host) and ciphertext in SQLite through a SecretCipher (Electron safeStorage). Plain keys never leave main.
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  matchesKeyPattern,
  PROVIDER_TABLE,
  providerDescriptor,
  type ProviderDescriptor,
} from '../../src-preload/contract/provider-table';
import type { Db } from '../store/database';
import { ForbiddenError, InvalidInputError } from '../errors';
import type { Redactor } from './redactor';
import type { SecretCipher } from './secret-cipher';

export type KeySource = 'env' | 'file' | 'encrypted';

/** The shortest key whose last 4 characters are shown: of a 6-character key ("ollama"), they are most of it. */
const SHOWN_FROM = 16;

export interface KeyStatus {
  /** A built-in provider ("openai") or a custom endpoint ("endpoint:<id>"). */
  provider: string;
  configured: boolean;
  /** The last 4 characters only, of a key long enough that they give little of it away (null for a shorter one). */
  last4: string | null;
  source: KeySource | null;
  env_var: string | null;
}

export interface KeyStoreOptions {
  db: Db;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  cipher?: SecretCipher | undefined;
  /** The built-in providers: their env variables and key shapes (default: the contract's provider table). */
  providers?: readonly ProviderDescriptor[];
  now: () => Date;
}

export class KeyStore {
  private readonly file: string;
  /**
   * The key file's content, read again when the file changed: another Quire process on the same data directory (the
   * app and a host, two hosts) may have saved or removed a key since. Looked at no more than once a second for reads
   * (a decision asks whether each model has a key: a stat each time was 3.5 % of a run's time), always before a write.
   */
  private fileCache: { stamp: string; keys: Record<string, string>; checkedAt: number } | null = null;
  private readonly providers: readonly ProviderDescriptor[];

  constructor(private readonly options: KeyStoreOptions) {
    this.file = join(options.dataDir, 'api-keys.json');
    this.providers = options.providers ?? PROVIDER_TABLE;
    // Every key that exists is known to the redactor from the start.
    for (const provider of this.providers) options.redactor.add(this.envKey(provider.id));
    this.readFile(); // and every key in the file (readFile tells the redactor)
    if (this.cipherUsable()) for (const name of this.encryptedNames()) options.redactor.add(this.decrypt(name));
  }

  /** The key for a provider, or undefined. A stored key wins over the environment. */
  get(name: string): string | undefined {
    return this.stored(name)?.value ?? this.envKey(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  status(names: readonly string[]): KeyStatus[] {
    return names.map((provider) => {
      const stored = this.stored(provider);
      const env = this.envKey(provider);
      const value = stored?.value ?? env;
      return {
        provider,
        configured: value !== undefined,
        last4: value && value.length >= SHOWN_FROM ? value.slice(-4) : null,
        source: stored ? stored.source : env ? 'env' : null,
        env_var: providerDescriptor(provider, this.providers)?.env_var ?? null,
      };
    });
  }

  /**
   * Stores a key: encrypted when a cipher is available (a weak one only with the writer's agreement), else in the
   * 0600 file (the browser host).
   */
  set(name: string, value: string, allowWeak = false): void {
    const key = value.trim();
    if (key.length === 0) throw new InvalidInputError('Paste the key first', 'api_key');
    if (/\s/.test(key)) throw new InvalidInputError('A key has no spaces: paste just the key', 'api_key');
    // A built-in provider's key must have its shape (checkShape); a custom endpoint takes any non-empty key, since
    // local servers document short ones ("ollama", "lm-studio").
    this.checkShape(name, key);
    const { cipher } = this.options;
    if (cipher) {
      if (!cipher.isAvailable()) {
        throw new ForbiddenError('This system cannot encrypt secrets, so Quire will not store the key.');
      }
      if (cipher.isWeak() && !allowWeak) {
        throw new ForbiddenError(
          `Only plain-text storage ("${cipher.backend()}") is available on this system; agree to it explicitly to store the key anyway.`,
        );
      }
      this.mask(key);
      this.options.db
        .prepare(
          `INSERT INTO api_keys (name, ciphertext, backend, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET ciphertext = excluded.ciphertext, backend = excluded.backend,
           updated_at = excluded.updated_at`,
        )
        .run(name, cipher.encrypt(key), cipher.backend(), this.options.now().toISOString());
      return;
    }
    this.mask(key);
    this.updateFile((all) => ({ ...all, [name]: key }));
  }

  /**
   * Masks a key wherever text leaves main, from now on: each key stored, and one only being tried. A short
   * local-server key ("ollama") is a word, not a secret.
   */
  mask(key: string): void {
    if (key.length >= 8) this.options.redactor.add(key);
  }

  /** Removes a stored key (environment variables are the environment's business). */
  delete(name: string): void {
    this.options.db.prepare('DELETE FROM api_keys WHERE name = ?').run(name);
    this.updateFile((all) => {
      if (!(name in all)) return null;
      delete all[name];
      return all;
    });
  }

  /** A built-in provider's key must have its shape; a key that fits exactly one other provider is named as such. */
  private checkShape(name: string, key: string): void {
    const provider = providerDescriptor(name, this.providers);
    if (!provider || matchesKeyPattern(provider, key)) return;
    const owners = this.providers.filter((p) => matchesKeyPattern(p, key));
    const owner = owners.length === 1 ? owners[0]!.display_name : null;
    if (!owner && key.startsWith(provider.key_prefix)) {
      throw new InvalidInputError(
        `That is not a whole ${provider.display_name} API key: it ${provider.key_hint} as one does, but is shorter, ` +
          `or has a character a key does not have. Copy the whole key again from ${provider.display_name}’s website.`,
        'api_key',
      );
    }
    const elsewhere = owner ? ` It looks like ${withArticle(owner)} key: paste it in the ${owner} row.` : '';
    throw new InvalidInputError(
      `That does not look like ${withArticle(provider.display_name)} API key (it ${provider.key_hint}).${elsewhere}`,
      'api_key',
    );
  }

  private stored(name: string): { value: string; source: KeySource } | undefined {
    if (this.cipherUsable()) {
      const value = this.decrypt(name);
      if (value !== undefined) return { value, source: 'encrypted' };
    }
    const value = this.readFile()[name];
    return value ? { value, source: 'file' } : undefined;
  }

  private cipherUsable(): boolean {
    return this.options.cipher?.isAvailable() === true;
  }

  private encryptedNames(): string[] {
    return this.options.db
      .prepare<[], { name: string }>('SELECT name FROM api_keys')
      .all()
      .map((r) => r.name);
  }

  private decrypt(name: string): string | undefined {
    const row = this.options.db
      .prepare<[string], { ciphertext: Buffer }>('SELECT ciphertext FROM api_keys WHERE name = ?')
      .get(name);
    if (!row || !this.options.cipher) return undefined;
    try {
      return this.options.cipher.decrypt(row.ciphertext);
    } catch {
      return undefined; // Encrypted on another machine or user: treated as absent, never as an error with content.
    }
  }

  private envKey(name: string): string | undefined {
    const variable = providerDescriptor(name, this.providers)?.env_var;
    const value = variable ? this.options.env[variable]?.trim() : undefined;
    return value ? value : undefined;
  }

  private readFile(fresh = false): Record<string, string> {
    const now = this.options.now().getTime();
    // Either way round: a clock set back does not leave the file unread.
    if (fresh || !this.fileCache || Math.abs(now - this.fileCache.checkedAt) >= RECHECK_MS) {
      const stamp = fileStamp(this.file);
      if (this.fileCache?.stamp !== stamp) {
        const keys = this.loadFile();
        // A key another process saved is masked here from the moment this process could know it.
        for (const value of Object.values(keys)) this.options.redactor.add(value);
        this.fileCache = { stamp, keys, checkedAt: now };
      } else this.fileCache.checkedAt = now;
    }
    return { ...this.fileCache.keys };
  }

  /**
   * Reads, changes and writes the key file inside a write transaction on the shared database, so two processes saving
   * keys at once take turns and neither writes over the other's key. `change` returns null to leave the file as it is.
   */
  private updateFile(change: (all: Record<string, string>) => Record<string, string> | null): void {
    this.options.db
      .transaction(() => {
        const next = change(this.readFile(true));
        if (next) this.writeFile(next);
      })
      .immediate();
  }

  private loadFile(): Record<string, string> {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object') return {};
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {};
    }
  }

  private writeFile(all: Record<string, string>): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
    this.fileCache = { stamp: fileStamp(this.file), keys: { ...all }, checkedAt: this.options.now().getTime() };
  }
}

/** How long a read trusts the key file it last looked at. */
const RECHECK_MS = 1000;

/** What changes whenever the key file is written (each write renames a new file into place); '' when there is none. */
function fileStamp(file: string): string {
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat ? `${stat.ino}:${stat.size}:${stat.mtimeMs}` : '';
}

function withArticle(name: string): string {
  return `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;
}
