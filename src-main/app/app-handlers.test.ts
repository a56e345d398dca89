import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir';
import { useTestApp } from '../../test/support/test-app';
import { openCommand, systemDesktopShell, type DesktopShell } from './desktop-shell';
import { resolveModelsDir } from './paths';

function recordingShell(failure = '') {
  const opened: string[] = [];
  const shell: DesktopShell = { openPath: async (path) => (opened.push(path), failure) };
  return { shell, opened };
}

describe('app:reveal', () => {
  const testApp = useTestApp();
  const tempDir = useTempDir();

  it('opens the models folder (created if missing) in the file manager and replies with its path', async () => {
    const { shell, opened } = recordingShell();
    const dataDir = tempDir();
    const { call } = await testApp.host({ dataDir, desktopShell: shell });
    const reply = await call('app:reveal', { target: 'models_folder' });
    const models = join(dataDir, 'models');
    expect(reply.body).toEqual({ ok: true, value: { path: models } });
    expect(opened).toEqual([models]);
    expect(existsSync(models)).toBe(true);
  });

  it("follows the writer's models folder setting, and opens the data folder", async () => {
    const { shell, opened } = recordingShell();
    const dataDir = tempDir();
    const custom = join(tempDir(), 'My Models');
    const { call } = await testApp.host({ dataDir, desktopShell: shell });
    expect((await call('settings:set', { local: { models_dir: custom } })).body.ok).toBe(true);
    await call('app:reveal', { target: 'models_folder' });
    await call('app:reveal', { target: 'data_folder' });
    expect(opened).toEqual([resolve(custom), dataDir]);
  });

  it('reads the models folder setting as typed: "~" is the home folder, a pasted quoted path its folder', () => {
    // "~/Quire models" was a folder named "~" in whatever folder Quire was started from.
    expect(resolveModelsDir('~/Quire models', '/data', '/Users/ada')).toBe('/Users/ada/Quire models');
    expect(resolveModelsDir("'/Volumes/Big Disk/Models'", '/data', '/Users/ada')).toBe('/Volumes/Big Disk/Models');
    expect(resolveModelsDir(null, '/data', '/Users/ada')).toBe('/data/models');
  });

  it('a models folder that is not a full path is refused with an example, and nothing is saved', async () => {
    const { call } = await testApp.host();
    const reply = await call('settings:set', { local: { models_dir: 'Models' } });
    expect(reply.body).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', path: 'local.models_dir' },
    });
    expect(reply.body.error.message).toContain('Enter the folder’s full path, such as ~/Quire models');
    expect((await call('settings:get')).body.value.local.models_dir).toBeNull();
  });

  it('refuses any other target or an arbitrary path, opening nothing', async () => {
    const { shell, opened } = recordingShell();
    const { call } = await testApp.host({ desktopShell: shell });
    for (const body of [{ target: '/etc' }, { target: 'models_folder', path: '/etc' }, {}]) {
      const reply = await call('app:reveal', body);
      expect(reply.body).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(opened).toEqual([]);
  });

  it("a shell that could not open the folder: the writer's words and where the folder is, the shell's text logged", async () => {
    const { shell } = recordingShell('Failed to open path');
    const dataDir = tempDir();
    const logged: string[] = [];
    const logger = {
      info: () => {},
      warn: (line: string) => logged.push(line),
      error: (line: string) => logged.push(line),
    };
    const { call } = await testApp.host({ dataDir, desktopShell: shell, logger });
    expect((await call('app:reveal', { target: 'models_folder' })).body).toEqual({
      ok: false,
      error: {
        code: 'unavailable',
        message: `Quire could not open your models folder in the file manager. Open it yourself: it is “${join(dataDir, 'models')}”.`,
        retryable: false,
        advised: true,
      },
    });
    expect((await call('app:reveal', { target: 'data_folder' })).body.error.message).toBe(
      `Quire could not open its data folder in the file manager. Open it yourself: it is “${dataDir}”.`,
    );
    expect(logged.join('\n')).toMatch(/Failed to open path/);
  });
});

describe('systemDesktopShell', () => {
  it('uses open on macOS and xdg-open on Linux', () => {
    expect(openCommand('darwin')).toBe('open');
    expect(openCommand('linux')).toBe('xdg-open');
  });

  it("reports success once the command starts, and a missing command as a message (Electron's convention)", async () => {
    expect(await systemDesktopShell('true').openPath('/tmp')).toBe('');
    expect(await systemDesktopShell('quire-no-such-file-manager').openPath('/tmp')).toMatch(/could not be started/);
  });
});

describe('app:machine', () => {
  const testApp = useTestApp();
  const tempDir = useTempDir();

  it('says what the null local settings mean with the figures the runtime was given', async () => {
    const dataDir = tempDir();
    const { call } = await testApp.host({
      dataDir,
      local: { runtime: { cpuCount: 2, totalMemoryBytes: 16 * 1024 * 1024 * 1024 } },
    });
    const reply = await call('app:machine');
    expect(reply.body).toEqual({
      ok: true,
      value: {
        cpus: 2,
        total_memory_mb: 16_384,
        default_memory_budget_mb: Math.floor(16_384 * 0.6),
        // One core stays with the app: on this 2-core machine 2 threads ran a tiny model 8.5× slower than 1.
        default_threads: 1,
        default_models_dir: join(dataDir, 'models'),
      },
    });
  });

  it('leaves one core to the interface on a bigger machine', async () => {
    const { call } = await testApp.host({ local: { runtime: { cpuCount: 10, totalMemoryBytes: 8 * 1024 ** 3 } } });
    expect((await call('app:machine')).body.value).toMatchObject({ cpus: 10, default_threads: 8 });
  });
});
