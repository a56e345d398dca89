import { describe, expect, it } from 'vitest';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { decision, runRecord } from '../../../../test/renderer/fixtures';
import { jpegHeader, pngHeader } from '../../../../test/renderer/image-headers';
import { ImageAttachments } from './image-attachments.svelte';
import { WorkbenchManager } from './workbench.svelte';

const file = (bytes: Uint8Array, name: string, type = 'image/png') => new File([new Uint8Array(bytes)], name, { type });
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const MAP = pngHeader(64, 48);

/** A PNG header followed by padding, `size` bytes in all. */
function withHeader(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(MAP);
  return bytes;
}

describe('ImageAttachments', () => {
  it('reads a picked file as base64 with its type and pixel size, for a thumbnail and the run', async () => {
    const images = new ImageAttachments();
    await images.add([file(MAP, 'map.png'), file(jpegHeader(1200, 900), 'sketch.jpg', 'image/jpeg')]);
    expect(images.error).toBeNull();
    expect(images.items.map(({ name, media_type, width, height }) => ({ name, media_type, width, height }))).toEqual([
      { name: 'map.png', media_type: 'image/png', width: 64, height: 48 },
      { name: 'sketch.jpg', media_type: 'image/jpeg', width: 1200, height: 900 },
    ]);
    expect(images.items[0]!.url).toBe(`data:image/png;base64,${b64(MAP)}`);
    expect(images.forRun[0]).toEqual({ media_type: 'image/png', data_base64: b64(MAP), name: 'map.png' });
    expect(images.sizes).toEqual([
      { width: 64, height: 48 },
      { width: 1200, height: 900 },
    ]);
    images.remove(images.items[0]!.id);
    expect(images.items.map((i) => i.name)).toEqual(['sketch.jpg']);
  });

  it('leaves out what runs:start would refuse, and says why in a writer’s words', async () => {
    const images = new ImageAttachments();
    await images.add([
      file(new TextEncoder().encode('Chapter one. The map was lost.'), 'notes.png'),
      file(withHeader(5 * 1024 * 1024 + 100), 'scan.png'),
      file(pngHeader(8100, 1), 'banner.png'),
      file(MAP, 'map.png'),
    ]);
    expect(images.items.map((i) => i.name)).toEqual(['map.png']);
    expect(images.error).toMatch(/"notes.png" is not a PNG, JPEG, WebP or GIF image\./);
    expect(images.error).toMatch(/"scan.png" is just over 5\.2 MB; an image may be at most 5\.2 MB\./);
    expect(images.error).toMatch(/"banner.png" is 8100×1 pixels/);
    await images.add(Array.from({ length: 8 }, (_, i) => file(MAP, `page-${i}.png`)));
    expect(images.count).toBe(8);
    expect(images.error).toMatch(/"page-7.png" was not added: a run may carry at most 8 images/);
  });
});

describe('WorkbenchManager with images', () => {
  it('asks for a decision priced with the images, and sends them with the run (and its quote request)', async () => {
    const fake = new FakeApi();
    fake.answer('orchestrator:decide', ({ task }) => decision(task, 'gpt-4o'));
    fake.answer('runs:list', { runs: [] });
    fake.answer('tournaments:list', []);
    fake.answer('runs:start', ({ run_id }) => ({ ...runRecord(run_id ?? 'r1'), tournament_id: null }));
    fake.answer('runs:get', ({ run_id }) => runRecord(run_id));
    const manager = new WorkbenchManager(fake);
    manager.setText('The lighthouse stood on the point.');
    manager.setTask('scene_draft');
    await manager.images.add([file(MAP, 'map.png')]);
    await manager.decide();
    expect(fake.inputsOf('orchestrator:decide').at(-1)).toMatchObject({ images: [{ width: 64, height: 48 }] });
    expect(manager.runRequest()?.images).toEqual([{ media_type: 'image/png', data_base64: b64(MAP), name: 'map.png' }]);
    await manager.run();
    expect(fake.inputsOf('runs:start')[0]!.images).toHaveLength(1);
    manager.images.remove(manager.images.items[0]!.id);
    await manager.decide();
    expect(fake.inputsOf('orchestrator:decide').at(-1)).not.toHaveProperty('images');
    expect(manager.runRequest()).not.toHaveProperty('images');
  });
});
