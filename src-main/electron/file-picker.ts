// The system file picker in the app: Electron's dialog.showOpenDialog, sheet-attached to the window. Takes a
// dialog-shaped object so which files it offers is tested without Electron.
import type { PickKind } from '../../src-preload/contract';
import { TEXT_EXTENSIONS } from '../manuscripts/source-reader';
import type { FilePicker } from '../app/desktop-shell';

/** The part of Electron's OpenDialogOptions the picker sets. */
export interface OpenDialogOptionsLike {
  title: string;
  buttonLabel: string;
  properties: ('openFile' | 'openDirectory')[];
  filters?: { name: string; extensions: string[] }[];
}

/** The part of Electron's `dialog` the picker uses (with or without a parent window). */
export interface DialogLike<W> {
  showOpenDialog(window: W, options: OpenDialogOptionsLike): Promise<{ canceled: boolean; filePaths: string[] }>;
  showOpenDialog(options: OpenDialogOptionsLike): Promise<{ canceled: boolean; filePaths: string[] }>;
}

export function openDialogOptions(kind: PickKind): OpenDialogOptionsLike {
  switch (kind) {
    case 'model':
      return {
        title: 'Import a model',
        buttonLabel: 'Import',
        properties: ['openFile'],
        filters: [{ name: 'GGUF models', extensions: ['gguf'] }],
      };
    case 'manuscript_file':
      return {
        title: 'Open a manuscript',
        buttonLabel: 'Open',
        properties: ['openFile'],
        filters: [{ name: 'Text and Markdown', extensions: TEXT_EXTENSIONS.map((ext) => ext.slice(1)) }],
      };
    case 'manuscript_folder':
      return { title: 'Open a folder of chapters', buttonLabel: 'Open', properties: ['openDirectory'] };
    default: {
      const missing: never = kind;
      throw new Error(`No file picker for ${String(missing)}`);
    }
  }
}

export class ElectronFilePicker<W> implements FilePicker {
  /** `window`: the window to attach the dialog to as a sheet, or null for a free-standing dialog. */
  constructor(
    private readonly dialog: DialogLike<W>,
    private readonly window: () => W | null,
  ) {}

  async pick(kind: PickKind): Promise<string | null> {
    const options = openDialogOptions(kind);
    const parent = this.window();
    const result = parent
      ? await this.dialog.showOpenDialog(parent, options)
      : await this.dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  }
}
