import { describe, expect, it } from 'vitest';
import { ElectronFilePicker, openDialogOptions, type DialogLike, type OpenDialogOptionsLike } from './file-picker';

function fakeDialog(answer: { canceled: boolean; filePaths: string[] }) {
  const shown: { window: string | null; options: OpenDialogOptionsLike }[] = [];
  const dialog = {
    async showOpenDialog(a: string | OpenDialogOptionsLike, b?: OpenDialogOptionsLike) {
      shown.push(typeof a === 'string' ? { window: a, options: b! } : { window: null, options: a });
      return answer;
    },
  } as DialogLike<string>;
  return { dialog, shown };
}

describe('the system file picker', () => {
  it('offers .gguf files for a model, text files for a manuscript, folders for chapters', () => {
    expect(openDialogOptions('model')).toMatchObject({
      properties: ['openFile'],
      filters: [{ extensions: ['gguf'] }],
    });
    expect(openDialogOptions('manuscript_file')).toMatchObject({
      properties: ['openFile'],
      filters: [{ extensions: ['md', 'markdown', 'txt', 'text'] }],
    });
    expect(openDialogOptions('manuscript_folder')).toMatchObject({ properties: ['openDirectory'] });
    expect(openDialogOptions('manuscript_folder').filters).toBeUndefined();
  });

  it('opens as a sheet on the window and answers with the chosen path', async () => {
    const { dialog, shown } = fakeDialog({ canceled: false, filePaths: ['/Users/me/Downloads/model.gguf'] });
    const picker = new ElectronFilePicker(dialog, () => 'main-window');
    expect(await picker.pick('model')).toBe('/Users/me/Downloads/model.gguf');
    expect(shown).toEqual([{ window: 'main-window', options: openDialogOptions('model') }]);
  });

  it('answers null when the writer cancels, and opens free-standing when no window is open', async () => {
    const { dialog, shown } = fakeDialog({ canceled: true, filePaths: [] });
    const picker = new ElectronFilePicker(dialog, () => null);
    expect(await picker.pick('manuscript_file')).toBeNull();
    expect(shown[0]!.window).toBeNull();
  });
});
