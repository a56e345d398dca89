// How a failed URL download reads (audit): a checksum the writer typed is called theirs, never "(user)"; a refusal
// from a server that is not Hugging Face does not send the writer to Hugging Face.
import { beforeAll, describe, expect, it } from 'vitest';
import { useDownloadHarness } from '../../test/support/download-harness';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';

const tempDir = useTempDir();
const { harness, server } = useDownloadHarness(tempDir);
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

  it('HTTP 401 from a server that is not Hugging Face does not mention Hugging Face', async () => {
    const h = harness();
    const s = await server();
    s.route('/private.gguf', { file: fixture, faults: { status: 401 } });
    await expect(h.stack.downloads.start({ url: `${s.url}/private.gguf` })).rejects.toThrow(
      /^The server refused the file \(HTTP 401\): it may need a sign-in or permission Quire does not have\. Check the URL, or download the file yourself and add it from disk\.$/,
    );
  });
});
