// The Electron shell: one window over the same services as the browser host. The only module (with its siblings in
// this folder) that imports 'electron'.
import { app, BrowserWindow, ipcMain, Menu, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp, type App } from '../app/create-app';
import { EVENT_CHANNEL } from '../../src-preload/channels';
import { registerIpcHandlers } from '../transport/ipc';
import { CONTENT_SECURITY_POLICY } from '../transport/csp';
import { windowOptions } from './window-options';
import { decideWindowOpen, isAppUrl } from './url-policy';
import { menuTemplate } from './menu';

const HELP_URL = 'https://github.com/quire-app/quire#readme';

let mainWindow: BrowserWindow | null = null;
let quire: App | null = null;

function appUrl(): string {
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && devUrl) return devUrl;
  return pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href;
}

function createWindow(services: App): BrowserWindow {
  const url = appUrl();
  const window = new BrowserWindow(windowOptions(join(import.meta.dirname, '../preload/index.cjs')));
  window.webContents.on('will-navigate', (event, target) => {
    if (!isAppUrl(target, url)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url: target }) => {
    const decision = decideWindowOpen(target);
    if (decision.openExternally) void shell.openExternal(decision.openExternally);
    return { action: decision.action };
  });
  const unsubscribe = services.events.subscribe((event) => {
    if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event);
  });
  window.on('closed', () => {
    unsubscribe();
    mainWindow = null;
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(url);
  return window;
}

function navigate(view: string): void {
  mainWindow?.webContents.send(EVENT_CHANNEL, { name: 'app:navigate', payload: { view } });
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  await app.whenReady();
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  // QUIRE_DATA_DIR lets tests (and a writer with several pen names) point the app at another library.
  quire = await createApp({ dataDir: process.env.QUIRE_DATA_DIR ?? app.getPath('userData') });
  const services = quire;
  registerIpcHandlers(ipcMain, services.dispatcher, (frame) => {
    return frame !== null && mainWindow !== null && isAppUrl(frame.url, appUrl());
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(app.name, {
        openSettings: () => navigate('settings'),
        openSpend: () => navigate('spend'),
        openHelp: () => void shell.openExternal(HELP_URL),
      }),
    ),
  );
  app.setAboutPanelOptions({ applicationName: 'Quire', applicationVersion: app.getVersion() });
  mainWindow = createWindow(services);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(services);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !quire) return;
  event.preventDefault();
  quitting = true;
  void quire.close().finally(() => app.quit());
});

start().catch((error: unknown) => {
  console.error(`Quire could not start: ${error instanceof Error ? error.message : String(error)}`);
  app.exit(1);
});
