// Opening a manuscript the system will not let Quire read: said in the writer's words with the step that fixes it,
// never Node's own text ("EPERM: operation not permitted, scandir '…'"). The file calls fail on demand here: tests
// run as root, which no file mode stops.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir';

type Call = 'stat' | 'readdir' | 'readFile';
const failing = new Map<Call, { code: string; path?: string }>();

function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: operation not permitted, ${syscall} '${path}'`), { code, syscall, path });
}

vi.mock('node:fs/promises', async (original) => {
  const real = await original<typeof import('node:fs/promises')>();
  const fails = (call: Call, path: string, syscall: string) => {
    const failure = failing.get(call);
    return failure && (failure.path === undefined || failure.path === path) ? errno(failure.code, syscall, path) : null;
  };
  return {
    ...real,
    stat: (path: string) => {
      const error = fails('stat', path, 'stat');
      return error ? Promise.reject(error) : real.stat(path);
    },
    readdir: (path: string, options: never) => {
      const error = fails('readdir', path, 'scandir');
      return error ? Promise.reject(error) : real.readdir(path, options);
    },
    readFile: (path: string, options?: never) => {
      const error = fails('readFile', path, 'open');
      return error ? Promise.reject(error) : real.readFile(path, options);
    },
  };
});

const { readManuscriptSource } = await import('./source-reader');
const tempDir = useTempDir('quire-source-');
afterEach(() => failing.clear());

function novel(): { folder: string; chapter: string } {
  const folder = join(tempDir(), 'Novel');
  mkdirSync(folder);
  const chapter = join(folder, 'Chapter 1.md');
  writeFileSync(chapter, 'Mara walked to the harbour.');
  return { folder, chapter };
}

const refusal = (path: string) =>
  readManuscriptSource(path).then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: { toInfo(): unknown }) => error.toInfo(),
  );

const noAccess = (name: string) =>
  `Quire isn't allowed to read “${name}”. Give Quire access in System Settings → Privacy & Security → Files and ` +
  'Folders, then open it again.';

describe('a manuscript Quire may not read', () => {
  it.each([
    ['stat', 'EACCES'],
    ['readdir', 'EPERM'],
  ] as const)('a folder whose %s fails with %s is refused in words, with its step', async (call, code) => {
    const { folder } = novel();
    failing.set(call, { code });
    expect(await refusal(folder)).toEqual({
      code: 'invalid_input',
      message: noAccess('Novel'),
      path: 'path',
      retryable: false,
      advised: true,
    });
  });

  it('a file that cannot be opened is refused by its name', async () => {
    const { chapter } = novel();
    failing.set('readFile', { code: 'EACCES' });
    expect(await refusal(chapter)).toMatchObject({ message: noAccess('Chapter 1.md'), advised: true });
  });

  it('a chapter of a folder that cannot be opened names the chapter, with one step', async () => {
    const { folder, chapter } = novel();
    failing.set('readFile', { code: 'EPERM', path: chapter });
    expect(await refusal(folder)).toMatchObject({
      message:
        "Quire isn't allowed to read “Chapter 1.md” in the folder “Novel”. Give Quire access in System Settings → " +
        'Privacy & Security → Files and Folders, then open the folder again.',
      advised: true,
    });
  });

  it('any other failure of the disk is said plainly, without the system’s words', async () => {
    const { folder, chapter } = novel();
    failing.set('readFile', { code: 'EIO' });
    const info = (await refusal(chapter)) as { message: string };
    expect(info.message).toBe(
      'Quire could not read “Chapter 1.md” from its disk. Check that the disk is still connected, then open it again.',
    );
    failing.set('readdir', { code: 'EIO' });
    expect(((await refusal(folder)) as { message: string }).message).toBe(
      'Quire could not read “Novel” from its disk. Check that the disk is still connected, then open it again.',
    );
    for (const message of [info.message]) expect(message).not.toMatch(/EIO|operation not permitted|open '/);
  });
});
