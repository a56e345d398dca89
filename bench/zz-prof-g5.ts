import Database from 'better-sqlite3';
import { percentile, timeEach } from './stats';
const db = new Database(':memory:');
db.exec(`CREATE TABLE local_models (id TEXT PRIMARY KEY, name TEXT, file TEXT, size_bytes INTEGER, sha256 TEXT, verified_against TEXT, source TEXT, catalog_id TEXT, url TEXT, architecture TEXT, context_length INTEGER, added_at TEXT) STRICT; CREATE TABLE t(x INTEGER)`);
const a = db.prepare(`SELECT * FROM local_models WHERE catalog_id = ? OR id = ? ORDER BY catalog_id IS NULL LIMIT 1`);
const b = db.prepare(`SELECT * FROM local_models WHERE id = ?`);
const c = db.prepare(`SELECT 1`).pluck();
for (const [l, f] of [['or', () => a.get('x', 'x')], ['pk', () => b.get('x')], ['select1', () => c.get()]] as const) { const x = await timeEach(5000, f); console.log(l, (percentile(x, 50) * 1000).toFixed(1)); }
