// Numbered SQL migrations, applied in order inside one transaction; PRAGMA user_version records the last applied.
// Add a migration by adding its file and one line below, in order of version; never edit one that has shipped.
// Versions need not be contiguous (migrate applies every one above the database's, in this order).
import m001 from './001-settings.sql?raw';
import m002 from './002-routing.sql?raw';
import m003 from './003-execution.sql?raw';
import m004 from './004-local-models.sql?raw';
import m005 from './005-tournaments.sql?raw';
import m006 from './006-run-answers.sql?raw';
import m007 from './007-manuscripts.sql?raw';
import m008 from './008-ledger-totals.sql?raw';
import m009 from './009-gateway.sql?raw';
import m010 from './010-gateway-holds.sql?raw';
import m011 from './011-gateway-totals.sql?raw';
import m012 from './012-tournament-evidence.sql?raw';
import m013 from './013-call-counts.sql?raw';
import m014 from './014-overrun-bound.sql?raw';
import m015 from './015-orphans-spent.sql?raw';
import m016 from './016-probe-verdicts.sql?raw';
import m017 from './017-documents-by-hash.sql?raw';
import m018 from './018-tournaments-running.sql?raw';
import m019 from './019-documents-no-paragraph-rows.sql?raw';
import m020 from './020-documents-structure-version.sql?raw';
import m021 from './021-run-stop-sequence.sql?raw';
import m022 from './022-document-pieces.sql?raw';
import m023 from './023-run-error-advice.sql?raw';
import m024 from './024-documents-source-stamp.sql?raw';
import m025 from './025-ledger-chosen-by.sql?raw';
import m026 from './026-routing-unpriced.sql?raw';
import m027 from './027-month-budgets.sql?raw';
import m028 from './028-run-removed-model-names.sql?raw';
import m029 from './029-catalog-checksums.sql?raw';
import m030 from './030-standing-holds.sql?raw';
import m031 from './031-endpoint-names.sql?raw';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'settings', sql: m001 },
  { version: 2, name: 'routing', sql: m002 },
  { version: 3, name: 'execution', sql: m003 },
  { version: 4, name: 'local-models', sql: m004 },
  { version: 5, name: 'tournaments', sql: m005 },
  { version: 6, name: 'run-answers', sql: m006 },
  { version: 7, name: 'manuscripts', sql: m007 },
  { version: 8, name: 'ledger-totals', sql: m008 },
  { version: 9, name: 'gateway', sql: m009 },
  { version: 10, name: 'gateway-holds', sql: m010 },
  { version: 11, name: 'gateway-totals', sql: m011 },
  { version: 12, name: 'tournament-evidence', sql: m012 },
  { version: 13, name: 'call-counts', sql: m013 },
  { version: 14, name: 'overrun-bound', sql: m014 },
  { version: 15, name: 'orphans-spent', sql: m015 },
  { version: 16, name: 'probe-verdicts', sql: m016 },
  { version: 17, name: 'documents-by-hash', sql: m017 },
  { version: 18, name: 'tournaments-running', sql: m018 },
  { version: 19, name: 'documents-no-paragraph-rows', sql: m019 },
  { version: 20, name: 'documents-structure-version', sql: m020 },
  { version: 21, name: 'run-stop-sequence', sql: m021 },
  { version: 22, name: 'document-pieces', sql: m022 },
  { version: 23, name: 'run-error-advice', sql: m023 },
  { version: 24, name: 'documents-source-stamp', sql: m024 },
  { version: 25, name: 'ledger-chosen-by', sql: m025 },
  { version: 26, name: 'routing-unpriced', sql: m026 },
  { version: 27, name: 'month-budgets', sql: m027 },
  { version: 28, name: 'run-removed-model-names', sql: m028 },
  { version: 29, name: 'catalog-checksums', sql: m029 },
  { version: 30, name: 'standing-holds', sql: m030 },
  { version: 31, name: 'endpoint-names', sql: m031 },
];
