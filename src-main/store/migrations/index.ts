// Numbered SQL migrations, applied in order inside one transaction; PRAGMA user_version records the last applied.
// Add a migration by adding its file and one line below; never edit one that has shipped.
import m001 from './001-settings.sql?raw';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: 'settings', sql: m001 }];
