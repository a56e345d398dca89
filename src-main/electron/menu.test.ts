import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { helpFilePath, menuTemplate } from './menu';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [
    item,
    ...(Array.isArray(item.submenu) ? flatten(item.submenu as MenuItemConstructorOptions[]) : []),
  ]);
}

function setup() {
  const calls: string[] = [];
  const template = menuTemplate('Quire', {
    openSettings: () => calls.push('settings'),
    openSpend: () => calls.push('spend'),
    openHelp: () => calls.push('help'),
  });
  const items = flatten(template);
  const byLabel = (label: string) => items.find((item) => item.label === label);
  const click = (label: string) =>
    (byLabel(label)!.click as (...args: unknown[]) => void)(undefined, undefined, undefined);
  return { template, items, byLabel, click, calls };
}

describe('menuTemplate', () => {
  it('opens Settings with ⌘, from the app menu', () => {
    const { template, byLabel, click, calls } = setup();
    expect(template[0]!.label).toBe('Quire');
    const settings = byLabel('Settings…');
    expect(settings?.accelerator).toBe('CmdOrCtrl+,');
    expect((template[0]!.submenu as MenuItemConstructorOptions[]).includes(settings!)).toBe(true);
    click('Settings…');
    expect(calls).toEqual(['settings']);
  });

  it('has a Spend window item and Help that opens the README', () => {
    const { byLabel, click, calls } = setup();
    expect(byLabel('Spend')?.accelerator).toBe('CmdOrCtrl+Shift+S');
    click('Spend');
    click('Quire Help');
    expect(calls).toEqual(['spend', 'help']);
    expect(helpFilePath('/Applications/Quire.app/Contents/Resources/app.asar')).toBe(
      '/Applications/Quire.app/Contents/Resources/app.asar.unpacked/README.md',
    );
    expect(helpFilePath('/work/quire')).toBe('/work/quire/README.md');
  });

  it('keeps About (which shows the version), editing and Quit, and nothing that checks for updates', () => {
    const { items } = setup();
    const roles = items.map((item) => item.role).filter(Boolean);
    expect(roles).toEqual(expect.arrayContaining(['about', 'editMenu', 'quit', 'help']));
    expect(items.some((item) => /update/i.test(item.label ?? ''))).toBe(false);
  });

  it('gives no two items the same shortcut', () => {
    const accelerators = setup()
      .items.map((item) => item.accelerator)
      .filter(Boolean);
    expect(new Set(accelerators).size).toBe(accelerators.length);
  });
});
