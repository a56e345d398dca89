import type { MenuItemConstructorOptions } from 'electron';

/**
 * Help → Quire Help opens the README that ships inside the app (unpacked from app.asar so the system viewer can
 * read it); no web page is assumed to exist.
 */
export function helpFilePath(appPath: string): string {
  return `${appPath.replace(/app\.asar$/, 'app.asar.unpacked')}/README.md`;
}

export interface MenuActions {
  openSettings(): void;
  openSpend(): void;
  openHelp(): void;
}

/** The Mac app menu: About (with the version), Settings (⌘,), a Spend item and Help. */
export function menuTemplate(appName: string, actions: MenuActions): MenuItemConstructorOptions[] {
  return [
    {
      label: appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => actions.openSettings() },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'Window',
      submenu: [
        { label: 'Spend', accelerator: 'CmdOrCtrl+Shift+S', click: () => actions.openSpend() },
        { type: 'separator' },
        { role: 'minimize' },
        { role: 'zoom' },
        { role: 'front' },
      ],
    },
    { role: 'help', submenu: [{ label: 'Quire Help', click: () => actions.openHelp() }] },
  ];
}
