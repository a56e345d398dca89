import { describe, expect, it } from 'vitest';
import type { Envelope, UploadKind, UploadOutputs } from '$contract';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { installed } from '../../../../test/renderer/fixtures';
import type { UploadRequest } from '../api/upload';
import { FileIntakeManager, MANUSCRIPT_INTAKE, MODEL_INTAKE } from './file-intake.svelte';

const file = (name: string, size: number) => ({ name, size }) as Blob & { name: string };

/** An uploader the test drives: reports progress and answers when told. */
function fakeUploader() {
  const sent: UploadRequest<UploadKind>[] = [];
  let answer!: (reply: Envelope<unknown>) => void;
  const send = <K extends UploadKind>(request: UploadRequest<K>) => {
    sent.push(request as UploadRequest<UploadKind>);
    return new Promise<Envelope<UploadOutputs[K]>>((resolve) => (answer = resolve as typeof answer));
  };
  return { sent, send, answer: (reply: Envelope<unknown>) => answer(reply) };
}

describe('FileIntakeManager', () => {
  it('checks the size with the host, uploads with progress, and keeps what was installed', async () => {
    const fake = new FakeApi().answer('app:upload_check', { max_bytes: 10_000 });
    const uploader = fakeUploader();
    const manager = new FileIntakeManager(MODEL_INTAKE, fake, uploader.send);
    const done = manager.upload(file('tiny.gguf', 4000));
    await fake.settled();
    expect(fake.inputsOf('app:upload_check')).toEqual([{ kind: 'model', bytes: 4000 }]);
    expect(manager.busy).toBe('tiny.gguf');
    uploader.sent[0]!.onprogress?.(1000, 4000);
    expect(manager.progress).toBe(0.25);
    uploader.answer({ ok: true, value: installed('tiny') });
    expect((await done)?.id).toBe('tiny');
    expect(manager.result?.id).toBe('tiny');
    expect(manager.busy).toBeNull();
  });

  it('says the file is being checked once its bytes are in, until the host answers', async () => {
    const fake = new FakeApi().answer('app:upload_check', { max_bytes: 10_000 });
    const uploader = fakeUploader();
    const manager = new FileIntakeManager(MODEL_INTAKE, fake, uploader.send);
    const done = manager.upload(file('Story Helper 16K.gguf', 4000));
    await fake.settled();
    uploader.sent[0]!.onprogress?.(1000, 4000);
    expect(manager.uploading).toBe(true);
    expect(manager.status).toBe('Uploading Story Helper 16K.gguf');
    // Every byte sent: the host checks the file and test-loads it (up to 20 s for a real model) before it answers.
    uploader.sent[0]!.onprogress?.(4000, 4000);
    expect(manager.uploading).toBe(false);
    expect(manager.status).toBe('Checking Story Helper 16K.gguf…');
    uploader.answer({ ok: true, value: installed('helper') });
    await done;
    expect(manager.status).toBeNull();
  });

  it('a model whose bytes are all in can still be stopped while the host checks it; a manuscript opens too fast to', async () => {
    const fake = new FakeApi().answer('app:upload_check', { max_bytes: 10_000 });
    const uploader = fakeUploader();
    const manager = new FileIntakeManager(MODEL_INTAKE, fake, uploader.send);
    const done = manager.upload(file('Story Helper.gguf', 4000));
    await fake.settled();
    uploader.sent[0]!.onprogress?.(1000, 4000);
    expect(manager.stoppable).toBe(true);
    uploader.sent[0]!.onprogress?.(4000, 4000);
    expect(manager.status).toBe('Checking Story Helper.gguf…');
    expect(manager.stoppable).toBe(true);
    manager.cancel();
    expect(uploader.sent[0]!.signal?.aborted).toBe(true);
    // The request goes away: the host stops the checks and the test load, and keeps nothing.
    uploader.answer({ ok: false, error: { code: 'cancelled', message: 'The upload was stopped.', retryable: true } });
    expect(await done).toBeNull();
    expect(manager.error?.message).toBe(
      'You stopped Story Helper.gguf while Quire checked it: nothing was added to your models.',
    );
    expect(manager.stoppable).toBe(false);

    const book = new FileIntakeManager(MANUSCRIPT_INTAKE, fake, uploader.send);
    void book.upload(file('harbour.md', 800));
    await fake.settled();
    uploader.sent[1]!.onprogress?.(800, 800);
    expect(book.stoppable).toBe(false);
  });

  it('says a manuscript is being opened once its bytes are in', async () => {
    const fake = new FakeApi().answer('app:upload_check', { max_bytes: 10_000 });
    const uploader = fakeUploader();
    const manager = new FileIntakeManager(MANUSCRIPT_INTAKE, fake, uploader.send);
    void manager.upload(file('harbour.md', 800));
    await fake.settled();
    uploader.sent[0]!.onprogress?.(800, 800);
    expect(manager.status).toBe('Opening harbour.md…');
  });

  it('shows the size limit and sends nothing when the host cannot take the file', async () => {
    const fake = new FakeApi().fail(
      'app:upload_check',
      'payload_too_large',
      'This model is 50 GB, and there is room for 2 GB',
    );
    const uploader = fakeUploader();
    const manager = new FileIntakeManager(MODEL_INTAKE, fake, uploader.send);
    expect(await manager.upload(file('huge.gguf', 50e9))).toBeNull();
    expect(manager.error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/room for 2 GB/),
    });
    expect(uploader.sent).toEqual([]);
  });

  it("shows the host's refusal of the file with its reason", async () => {
    const fake = new FakeApi().answer('app:upload_check', { max_bytes: 10_000 });
    const uploader = fakeUploader();
    const manager = new FileIntakeManager(MODEL_INTAKE, fake, uploader.send);
    const done = manager.upload(file('notes.gguf', 10));
    await fake.settled();
    const reason =
      'notes.gguf isn\'t a model Quire can run: it is not a GGUF model file (it does not start with "GGUF"). Choose a .gguf model file.';
    uploader.answer({ ok: false, error: { code: 'local_model_error', message: reason, retryable: false } });
    expect(await done).toBeNull();
    expect(manager.error?.message).toBe(reason);
  });

  it('cancels an upload in flight through its signal', async () => {
    const fake = new FakeApi().answer('app:upload_check', { max_bytes: 10_000 });
    const uploader = fakeUploader();
    const manager = new FileIntakeManager(MODEL_INTAKE, fake, uploader.send);
    void manager.upload(file('tiny.gguf', 10));
    await fake.settled();
    manager.cancel();
    expect(uploader.sent[0]!.signal?.aborted).toBe(true);
  });

  it('in the app, a model the file picker chose shows its copy, check and test load, and Stop stops it', async () => {
    const fake = new FakeApi();
    fake.answer('app:pick_file', { path: '/Users/me/Downloads/story.gguf' });
    const held = fake.hold('models:import');
    const manager = new FileIntakeManager(MODEL_INTAKE, fake, undefined, () => 'imp-7');
    const picking = manager.pick('model');
    const call = await held.next();
    expect(call.input).toEqual({ path: '/Users/me/Downloads/story.gguf', import_id: 'imp-7' });
    expect(manager.following).toBe(true);
    expect(manager.uploading).toBe(false);
    fake.emit('import:progress', { import_id: 'other', stage: 'testing', copied: 5, total: 5 });
    fake.emit('import:progress', { import_id: 'imp-7', stage: 'copying', copied: 250, total: 1000 });
    expect(manager.status).toBe('Copying story.gguf into your models folder');
    expect(manager.progress).toBe(0.25);
    fake.emit('import:progress', { import_id: 'imp-7', stage: 'testing', copied: 1000, total: 1000 });
    expect(manager.status).toBe('Test-loading story.gguf (up to 20 seconds)…');

    fake.answer('models:import_stop', { stopping: true });
    manager.cancel();
    await fake.settled();
    expect(fake.inputsOf('models:import_stop')).toEqual([{ import_id: 'imp-7' }]);
    call.reject('cancelled', 'You stopped the import of story.gguf: nothing was added to your models folder.');
    expect(await picking).toBeNull();
    expect(manager.following).toBe(false);
    expect(manager.error).toMatchObject({ code: 'cancelled' });
    expect(fake.listenerCount('import:progress')).toBe(0);
  });

  it('in the app opens the path the file picker chose, and does nothing when the writer cancels', async () => {
    const fake = new FakeApi();
    const paths = ['/Users/me/Novel', null];
    fake.answer('app:pick_file', () => ({ path: paths.shift() ?? null }));
    fake.answer('manuscripts:open', ({ path }) => ({ id: 'm1', title: path.split('/').pop()! }) as never);
    const manager = new FileIntakeManager(MANUSCRIPT_INTAKE, fake);
    expect((await manager.pick('manuscript_folder'))?.title).toBe('Novel');
    expect(await manager.pick('manuscript_file')).toBeNull();
    expect(fake.inputsOf('manuscripts:open')).toEqual([{ path: '/Users/me/Novel' }]);
    expect(fake.inputsOf('app:pick_file')).toEqual([{ kind: 'manuscript_folder' }, { kind: 'manuscript_file' }]);
  });
});
