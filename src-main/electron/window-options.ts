// Pure: the BrowserWindow options, so a unit test can assert every security flag without launching Electron.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export function windowOptions(preloadPath: string, bounds: WindowBounds = { width: 1280, height: 840 }) {
  return {
    ...bounds,
    minWidth: 900,
    minHeight: 600,
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
