// The Electron shell: one window over the same services as the browser host. The only module (with its siblings in
// this folder) that imports 'electron'.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  safeStorage,
  screen,
  session,
  shell,
  utilityProcess,
  type MessageBoxSyncOptions,
} from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp, type App } from '../app/create-app';
import { EVENT_CHANNEL } from '../../src-preload/channels';
import { registerIpcHandlers } from '../transport/ipc';
import { CONTENT_SECURITY_POLICY } from '../transport/csp';
import { WINDOW_SIZE, windowOptions } from './window-options';
import { decideNavigation, decideWindowOpen, isTrustedSender } from './url-policy';
import { helpFilePath, menuTemplate } from './menu';
import { SafeStorageCipher } from './safe-storage-cipher';
import { notificationFor } from './notifications';
import { WorkTracker } from './work-tracker';
import { UtilityProcessProbeLauncher } from './probe-launcher';
import { ElectronFilePicker } from './file-picker';
import { placeWindow, wasMaximized, WindowStateFile, type Rect } from './window-state';
import { startupFailure } from './startup-failure';

let mainWindow: BrowserWindow | null = null;
let quire: App | null = null;
let work: WorkTracker | null = null;

function appUrl(): string {
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && devUrl) return devUrl;
  return pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href;
}

/** Usable areas of the connected displays, the primary first. */
function workAreas(): Rect[] {
  const primary = screen.getPrimaryDisplay();
  return [primary, ...screen.getAllDisplays().filter((display) => display.id !== primary.id)].map(
    (display) => display.workArea,
  );
}

function createWindow(services: App, stateFile: WindowStateFile): BrowserWindow {
  const url = appUrl();
  const saved = stateFile.read();
  const window = new BrowserWindow(
    windowOptions(join(import.meta.dirname, '../preload/index.cjs'), placeWindow(saved, workAreas(), WINDOW_SIZE)),
  );
  if (wasMaximized(saved)) window.maximize();
  window.webContents.on('will-navigate', (event, target) => {
    const decision = decideNavigation(target, url);
    if (decision.allow) return;
    event.preventDefault();
    if (decision.openExternally) void shell.openExternal(decision.openExternally);
  });
  window.webContents.setWindowOpenHandler(({ url: target }) => {
    const decision = decideWindowOpen(target);
    if (decision.openExternally) void shell.openExternal(decision.openExternally);
    return { action: decision.action };
  });
  const unsubscribe = services.events.subscribe((event) => {
    // A plain copy: the bus masks the payload when it is first read.
    if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, { name: event.name, payload: event.payload });
  });
  window.on('close', () => {
    const { x, y, width, height } = window.getNormalBounds();
    try {
      stateFile.write({
        bounds: { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) },
        maximized: window.isMaximized(),
      });
    } catch (error) {
      services.services.logger.warn(`Window position not saved: ${error instanceof Error ? error.message : error}`);
    }
  });
  window.on('closed', () => {
    unsubscribe();
    mainWindow = null;
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(url);
  return window;
}

/** QUIRE_DATA_DIR lets tests (and a writer with several pen names) point the app at another library. */
function dataDir(): string {
  return process.env.QUIRE_DATA_DIR ?? app.getPath('userData');
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
  // Whatever web contents ever exist (the window, devtools), none may open windows or attach a <webview>.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  await app.whenReady();
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  quire = await createApp({
    dataDir: dataDir(),
    secretCipher: new SafeStorageCipher(safeStorage),
    desktopShell: { openPath: (path) => shell.openPath(path) },
    filePicker: new ElectronFilePicker(dialog, () => mainWindow),
    // Unverified models are test-loaded in a utilityProcess first (out/main/probe.js, built beside this file).
    local: { probe: new UtilityProcessProbeLauncher(utilityProcess, join(import.meta.dirname, 'probe.js')) },
  });
  const services = quire;
  const downloads = services.services.local.downloads;
  const tracker = new WorkTracker((id) => ['downloading', 'verifying'].includes(downloads.get(id)?.status ?? ''));
  work = tracker;
  services.events.subscribe((event) => {
    tracker.observe(event);
    const text = notificationFor(event, (id) => services.services.registry.get(id)?.display_name ?? id);
    if (text && Notification.isSupported()) new Notification(text).show();
  });
  registerIpcHandlers(ipcMain, services.dispatcher, (frame) => {
    return mainWindow !== null && isTrustedSender(frame, appUrl());
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(app.name, {
        openSettings: () => navigate('settings'),
        openSpend: () => navigate('spend'),
        openHelp: () => void shell.openPath(helpFilePath(app.getAppPath())),
      }),
    ),
  );
  // No auto-updater: the About panel shows the version, and updating is the writer's choice.
  app.setAboutPanelOptions({ applicationName: 'Quire', applicationVersion: app.getVersion() });
  const stateFile = new WindowStateFile(join(app.getPath('userData'), 'window-state.json'));
  mainWindow = createWindow(services, stateFile);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(services, stateFile);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

/** True when the writer confirms quitting although runs or downloads are still going. */
function confirmQuit(): boolean {
  const question = work?.quitQuestion();
  if (!question) return true;
  const options: MessageBoxSyncOptions = {
    type: 'question',
    buttons: ['Quit', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: question.message,
    detail: question.detail,
  };
  const choice = mainWindow ? dialog.showMessageBoxSync(mainWindow, options) : dialog.showMessageBoxSync(options);
  return choice === 0;
}

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !quire) return;
  event.preventDefault();
  if (!confirmQuit()) return;
  quitting = true;
  // Unloads local models, stops downloads (resumable), closes the database; then quits for real.
  void quire.close().finally(() => app.quit());
});

// The writer is told why in a dialog (words and step chosen in startup-failure.ts); the failure's own text is logged.
start().catch((error: unknown) => {
  console.error(`Quire could not start: ${error instanceof Error ? error.message : String(error)}`);
  const { title, message } = startupFailure(error, dataDir());
  dialog.showErrorBox(title, message);
  app.exit(1);
});
