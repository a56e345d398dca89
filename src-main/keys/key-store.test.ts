import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { useTempDir } from '../../test/support/temp-dir';
import { KeyStore } from './key-store';
import { Redactor } from './redactor';
import type { SecretCipher } from './secret-cipher';

const tempDir = useTempDir();

function store(options: { env?: NodeJS.ProcessEnv; cipher?: SecretCipher } = {}) {
  const dataDir = tempDir();
  const redactor = new Redactor();
  const keys = new KeyStore({
    db: openDatabase(join(dataDir, 'q.sqlite')),
    dataDir,
    env: options.env ?? {},
    redactor,
    cipher: options.cipher,
    now: () => new Date(),
  });
  return { keys, redactor, dataDir };
}

const reversing = (weak: boolean): SecretCipher => ({
  backend: () => (weak ? 'basic_text' : 'keychain'),
  isAvailable: () => true,
  isWeak: () => weak,
  encrypt: (t) => Buffer.from([...t].reverse().join(''), 'utf8'),
  decrypt: (b) => [...b.toString('utf8')].reverse().join(''),
});

describe('KeyStore', () => {
  it('reads environment variables and reports only the last 4 characters', () => {
    const { keys, redactor } = store({ env: { OPENAI_API_KEY: 'sk-env-abcdefgh1234' } });
    expect(keys.get('openai')).toBe('sk-env-abcdefgh1234');
    expect(keys.status(['openai', 'anthropic'])).toEqual([
      { provider: 'openai', configured: true, last4: '1234', source: 'env', env_var: 'OPENAI_API_KEY' },
      { provider: 'anthropic', configured: false, last4: null, source: null, env_var: 'ANTHROPIC_API_KEY' },
    ]);
    expect(redactor.redact('key=sk-env-abcdefgh1234!')).toBe('key=[redacted]!');
  });

  it('without a cipher, stores keys in a 0600 file; a stored key wins over the environment; delete removes it', () => {
    const { keys, dataDir } = store({ env: { OPENAI_API_KEY: 'sk-env-abcdefgh1234' } });
    keys.set('openai', 'sk-file-zyxwvut9876');
    expect(statSync(join(dataDir, 'api-keys.json')).mode & 0o777).toBe(0o600);
    expect(keys.status(['openai'])[0]).toMatchObject({ source: 'file', last4: '9876' });
    keys.delete('openai');
    expect(keys.status(['openai'])[0]).toMatchObject({ source: 'env', last4: '1234' });
  });

  it('with a cipher, stores ciphertext in SQLite; a weak backend needs the writer to agree', () => {
    const strong = store({ cipher: reversing(false) });
    strong.keys.set('anthropic', 'sk-ant-secret-5555');
    expect(strong.keys.status(['anthropic'])[0]).toMatchObject({ source: 'encrypted', last4: '5555' });
    const dbFiles = ['q.sqlite', 'q.sqlite-wal'].map((f) => join(strong.dataDir, f)).filter((f) => existsSync(f));
    for (const f of dbFiles) expect(readFileSync(f).includes('sk-ant-secret-5555')).toBe(false);
    expect(Buffer.concat(dbFiles.map((f) => readFileSync(f))).includes('5555-terces-tna-ks')).toBe(true);
    expect(existsSync(join(strong.dataDir, 'api-keys.json'))).toBe(false);
    const weak = store({ cipher: reversing(true) });
    expect(() => weak.keys.set('anthropic', 'sk-ant-secret-5555')).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    expect(weak.keys.has('anthropic')).toBe(false);
    weak.keys.set('anthropic', 'sk-ant-secret-5555', true);
    expect(weak.keys.get('anthropic')).toBe('sk-ant-secret-5555');
  });

  it('tells the redactor every key it holds, even ones no key shape would catch, from the start', () => {
    const env = { OPENAI_API_KEY: 'plainenvsecret42' };
    const first = store({ env, cipher: reversing(false) });
    // A custom endpoint's key has no known shape (a built-in provider's key must have its provider's).
    first.keys.set('endpoint:lab', 'plainstoredsecret77');
    expect(first.redactor.redact('a plainstoredsecret77 b')).toBe('a [redacted] b');
    // A fresh store over the same data: the stored key is known before anyone asks for it.
    const redactor = new Redactor();
    new KeyStore({
      db: openDatabase(join(first.dataDir, 'q.sqlite')),
      dataDir: first.dataDir,
      env,
      redactor,
      cipher: reversing(false),
      now: () => new Date(),
    });
    expect(redactor.redact('x plainenvsecret42 y plainstoredsecret77')).toBe('x [redacted] y [redacted]');
  });

  it('refuses something that is not a key', () => {
    const { keys } = store();
    expect(() => keys.set('openai', 'short')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => keys.set('endpoint:lab', '   ')).toThrow(expect.objectContaining({ message: 'Paste the key first' }));
    expect(() => keys.set('endpoint:lab', 'two words')).toThrow(expect.objectContaining({ path: 'api_key' }));
  });

  it('a custom endpoint takes any non-empty key, as local servers document ("ollama", "lm-studio")', () => {
    const { keys } = store();
    keys.set('endpoint:ollama', 'ollama');
    keys.set('endpoint:lms', 'lm-studio');
    expect(keys.get('endpoint:ollama')).toBe('ollama');
    expect(keys.get('endpoint:lms')).toBe('lm-studio');
    // Four characters of a nine-character key are most of it: a short key shows none of its characters.
    expect(keys.status(['endpoint:ollama', 'endpoint:lms'])).toMatchObject([
      { configured: true, last4: null },
      { configured: true, last4: null },
    ]);
    keys.set('endpoint:lms', 'sixteen-chars-ok');
    expect(keys.status(['endpoint:lms'])[0]).toMatchObject({ last4: 's-ok' });
  });

  it('refuses a built-in provider key of the wrong shape, saying what the key looks like and whose it seems to be', () => {
    const { keys } = store();
    expect(() => keys.set('anthropic', 'sk-proj-abcdefgh12345')).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        path: 'api_key',
        message: 'That does not look like an Anthropic API key (it starts with sk-ant-).',
      }),
    );
    expect(() => keys.set('openai', 'sk-or-v1-abcdefgh12345')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('It looks like an OpenRouter key: paste it in the') }),
    );
    expect(() => keys.set('gemini', 'sk-abcdefgh12345')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(keys.has('anthropic') || keys.has('openai') || keys.has('gemini')).toBe(false);
    keys.set('gemini', 'AIzaSyA-abcdefghijklmnopqrstuvwxyz012');
    expect(keys.status(['gemini'])[0]).toMatchObject({ configured: true, env_var: 'GEMINI_API_KEY' });
  });

  it('a key with the right start but cut short is said to be incomplete, not to start otherwise; another’s says where', () => {
    // "AIza-short" was answered "That does not look like a Google Gemini API key (it starts with AIza)." It does.
    const { keys } = store();
    expect(() => keys.set('gemini', 'AIza-short')).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message:
          'That is not a whole Google Gemini API key: it starts with AIza as one does, but is shorter, or has a ' +
          'character a key does not have. Copy the whole key again from Google Gemini’s website.',
      }),
    );
    expect(() => keys.set('deepseek', 'sk-ant-api03-abcdefgh12345')).toThrow(
      expect.objectContaining({
        message:
          'That does not look like a DeepSeek API key (it starts with sk-). It looks like an Anthropic key: paste it ' +
          'in the Anthropic row.',
      }),
    );
  });
});

describe('Redactor', () => {
  it('masks key-shaped strings it was never told about', () => {
    const r = new Redactor();
    expect(r.redact('Incorrect API key provided: sk-proj-AbCdEf123456. Bearer abcdefghijklmnop')).toBe(
      'Incorrect API key provided: [redacted]. Bearer [redacted]',
    );
  });

  it('shares the key file with another process on the same data directory: neither loses the other’s key', () => {
    const dataDir = tempDir();
    let clock = Date.parse('2026-12-06T10:00:00Z');
    // Two processes: each its own database connection and redactor, the same data directory.
    const process = (redactor: Redactor) =>
      new KeyStore({
        db: openDatabase(join(dataDir, 'q.sqlite')),
        dataDir,
        env: {},
        redactor,
        now: () => new Date(clock),
      });
    const a = process(new Redactor());
    const redactorB = new Redactor();
    const b = process(redactorB);
    expect(b.get('openai')).toBeUndefined();
    a.set('openai', 'sk-proj-AAAAAAAAAAAA1111');
    // A read trusts the file it looked at for a second; a write always looks again.
    expect(b.get('openai')).toBeUndefined();
    b.set('anthropic', 'sk-ant-BBBBBBBBBBBB2222');
    clock += 1000;
    expect(JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8'))).toEqual({
      openai: 'sk-proj-AAAAAAAAAAAA1111',
      anthropic: 'sk-ant-BBBBBBBBBBBB2222',
    });
    expect(a.get('anthropic')).toBe('sk-ant-BBBBBBBBBBBB2222');
    expect(b.status(['openai'])[0]).toMatchObject({ configured: true, last4: '1111' });
    // What the other process saved is masked here too, once this one has read the file.
    a.set('endpoint:lan', 'lan-token-123456789');
    clock += 1000;
    expect(b.get('endpoint:lan')).toBe('lan-token-123456789');
    expect(redactorB.redact('token lan-token-123456789')).toBe('token [redacted]');
    a.delete('anthropic');
    clock += 1000;
    expect(b.get('anthropic')).toBeUndefined();
    expect(b.get('openai')).toBe('sk-proj-AAAAAAAAAAAA1111');
  });
});
