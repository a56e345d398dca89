// How a failed URL download reads (audit): a checksum the writer typed is called theirs, never "(user)"; a refusal
// from a server that is not Hugging Face does not send the writer to Hugging Face.
import { statSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../infra/logger';
import { useDownloadHarness } from '../../test/support/download-harness';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { hashFile } from '../../test/support/hash-file';
import { DownloadError } from '../errors';

const tempDir = useTempDir();
const { harness, server, open } = useDownloadHarness(tempDir);
let fixture: string;
beforeAll(() => {
  fixture = tinyLlamaFixture({ seed: 51 });
});

describe('failed downloads in the writer’s words', () => {
  it('a file that does not match the checksum the writer entered says so, and what to check', async () => {
    const h = harness();
    const s = await server();
    s.route('/story.gguf', { file: fixture });
    const info = await h.stack.downloads.start({ url: `${s.url}/story.gguf`, sha256: 'de05'.padEnd(64, '0') });
    const failed = await h.waitFor('download:failed', info.id);
    expect(failed.payload).toMatchObject({ reason: 'checksum_mismatch', retryable: false });
    const message = (failed.payload as { message: string }).message;
    expect(message).not.toContain('(user)');
    expect(message).toMatch(
      /^The downloaded file does not match the SHA-256 checksum you entered \(it is [0-9a-f]{12}…, you entered de0500000000…\)\. It was deleted: check the checksum, or the URL, then download it again\.$/,
    );
  });

  it('a file that arrived damaged says so in words, without checksums the writer never saw, and the step', async () => {
    const h = harness();
    const s = await server();
    const sha = await hashFile(fixture);
    // Hugging Face says which file it sends (its LFS checksum); a byte flipped on the way makes another file.
    s.route('/org/repo/resolve/main/story.gguf', {
      file: fixture,
      headers: { 'X-Linked-Etag': `"${sha}"` },
      faults: { flipByteAt: Math.floor(statSync(fixture).size / 2) },
    });
    const info = await h.stack.downloads.start({ url: `${s.url}/org/repo/resolve/main/story.gguf` });
    const failed = await h.waitFor('download:failed', info.id);
    expect(failed.payload).toMatchObject({ reason: 'checksum_mismatch', retryable: false });
    // It read "…its SHA-256 159fe577fe9e… does not match the expected 708be8310b68…. It was deleted; download it again."
    expect((failed.payload as { message: string }).message).toBe(
      'The downloaded file is corrupt: it is not the file Hugging Face lists (its checksum differs), so Quire ' +
        'deleted it. Download it again; if it fails the same way, the file on the server may have changed.',
    );
  });

  it('HTTP 401 from a server that is not Hugging Face does not mention Hugging Face', async () => {
    const h = harness();
    const s = await server();
    s.route('/private.gguf', { file: fixture, faults: { status: 401 } });
    await expect(h.stack.downloads.start({ url: `${s.url}/private.gguf` })).rejects.toThrow(
      /^The server refused the file \(HTTP 401\): it may need a sign-in or permission Quire does not have\. Check the URL, or download the file yourself and add it from disk\.$/,
    );
  });
});

/** A logger that keeps what it is told: the system's own words go there, not to the writer. */
function recording(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const keep = (line: string) => void lines.push(line);
  return { logger: { info: keep, warn: keep, error: keep }, lines };
}

/** A server that takes each connection and drops it at once, before any answer. */
async function resetting(): Promise<{ url: string; close: () => void }> {
  const srv: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => srv.close() };
}

const RAW = /ECONNREFUSED|ECONNRESET|EACCES|fetch failed|connect |closed the connection|errno|syscall/;

describe('a server Quire cannot reach, in the writer’s words', () => {
  it('a refused or dropped connection when a download starts: what happened and the step; the log has the rest', async () => {
    const { logger, lines } = recording();
    const h = harness({ stack: { logger } });
    const reset = await resetting();
    try {
      for (const [url, host] of [
        ['http://127.0.0.1:1/story.gguf', '127.0.0.1:1'],
        [`${reset.url}/story.gguf`, new URL(reset.url).host],
      ] as const) {
        const error = (await h.stack.downloads.start({ url }).catch((e: unknown) => e)) as DownloadError;
        expect(error.toInfo()).toEqual({
          code: 'download_error',
          message: `Quire can't reach ${host}. Check your internet connection, then try again.`,
          retryable: true,
          advised: true,
        });
        expect(error.reason).toBe('server_gone');
      }
      expect(lines.join('\n')).toMatch(/ECONNREFUSED/);
    } finally {
      reset.close();
    }
  });

  it('the will-it-fit check on a server Quire cannot reach says so, not "fetch failed"', async () => {
    const { logger, lines } = recording();
    const h = harness({ stack: { logger } });
    const reset = await resetting();
    try {
      for (const [url, host] of [
        ['http://127.0.0.1:1/story.gguf', '127.0.0.1:1'],
        [`${reset.url}/story.gguf`, new URL(reset.url).host],
      ] as const) {
        const error = (await h.stack.fit.check({ url }).catch((e: unknown) => e)) as DownloadError;
        expect(error).toBeInstanceOf(DownloadError);
        expect(error.toInfo()).toMatchObject({
          message: `Quire can't reach ${host} to read the model's details. Check your internet connection, then try again.`,
          advised: true,
        });
        expect(error.message).not.toMatch(RAW);
      }
      expect(lines.join('\n')).toMatch(/fetch failed|ECONNREFUSED/);
    } finally {
      reset.close();
    }
  });

  it('a connection lost for good during the transfer says so, with resume as the step', async () => {
    const h = harness();
    const s = await server();
    s.route('/gone.gguf', { file: fixture, faults: { bytesPerSecond: 200_000 } });
    const info = await h.stack.downloads.start({ url: `${s.url}/gone.gguf` });
    await h.waitFor('download:progress', info.id);
    await s.close();
    delete open.at(-1)!.server;
    const failed = await h.waitFor('download:failed', info.id);
    const message = (failed.payload as { message: string }).message;
    expect(message).toMatch(
      new RegExp(
        `^(Quire can't reach|The connection to) 127\\.0\\.0\\.1:${s.port}( was lost)?\\. Check your internet connection, then resume\\.$`,
      ),
    );
    expect(message).not.toMatch(RAW);
  });

  it('a models folder Quire cannot write to: what happened and the step, never the system error', async () => {
    const { logger, lines } = recording();
    // The models folder stops letting Quire in once the download has begun (its free-space check asks it again).
    let asked = 0;
    const freeSpace = (dir: string) =>
      ++asked === 1
        ? Promise.resolve(1e12)
        : Promise.reject(
            Object.assign(new Error(`EACCES: permission denied, statfs '${dir}'`), {
              code: 'EACCES',
              syscall: 'statfs',
            }),
          );
    const h = harness({ stack: { logger, freeSpace } });
    const s = await server();
    s.route('/story.gguf', { file: fixture });
    const info = await h.stack.downloads.start({ url: `${s.url}/story.gguf` });
    const failed = await h.waitFor('download:failed', info.id);
    const message = (failed.payload as { message: string }).message;
    expect(message).toBe(
      `Quire could not save the download in your models folder (${h.modelsDir}). Check that the folder is still there and that Quire may write to it, or choose another models folder in Settings → Local models, then resume.`,
    );
    expect(lines.join('\n')).toMatch(/EACCES: permission denied/);
    expect(message).not.toMatch(RAW);
  });
});
