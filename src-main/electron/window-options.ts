// Pure: the BrowserWindow options, so a unit test can assert every security flag without launching Electron.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

/** The default size, and the smallest the layout works at. */
export const WINDOW_SIZE = { width: 1280, height: 840, minWidth: 900, minHeight: 600 } as const;

export function windowOptions(
  preloadPath: string,
  bounds: WindowBounds = { width: WINDOW_SIZE.width, height: WINDOW_SIZE.height },
) {
  return {
    ...bounds,
    minWidth: WINDOW_SIZE.minWidth,
    minHeight: WINDOW_SIZE.minHeight,
    title: 'Quire',
    show: false,
    titleBarStyle: 'hiddenInset',
    backgroundColor: '#1b1b1f',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: true,
    },
  } satisfies BrowserWindowConstructorOptions;
}
