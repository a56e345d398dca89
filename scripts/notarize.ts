// electron-builder's afterSign hook: notarizes the signed Mac app with Apple, but only when credentials are in the
// environment. Without them the build still succeeds (a local, unsigned or ad-hoc build); with an incomplete set it
// stops, because shipping a release that silently skipped notarization is worse than a failed build.
import { join } from 'node:path';

export type NotarizeOptions =
  | { appPath: string; appleApiKey: string; appleApiKeyId: string; appleApiIssuer: string }
  | { appPath: string; appleId: string; appleIdPassword: string; teamId: string }
  | { appPath: string; keychainProfile: string; keychain?: string };

const CREDENTIAL_SETS = [
  ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
  ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
  ['APPLE_KEYCHAIN_PROFILE'],
] as const;

/** The options for @electron/notarize, or null when no credentials are set. Never includes a value in an error. */
export function notarizeOptions(env: NodeJS.ProcessEnv, appPath: string): NotarizeOptions | null {
  const present = (name: string) => (env[name] ?? '').trim().length > 0;
  const value = (name: string) => (env[name] ?? '').trim();
  for (const set of CREDENTIAL_SETS) {
    const given = set.filter(present);
    if (given.length === 0) continue;
    if (given.length < set.length) {
      const missing = set.filter((name) => !present(name));
      throw new Error(
        `Notarization credentials are incomplete: ${given.join(', ')} set but ${missing.join(', ')} missing`,
      );
    }
    switch (set[0]) {
      case 'APPLE_API_KEY':
        return {
          appPath,
          appleApiKey: value('APPLE_API_KEY'),
          appleApiKeyId: value('APPLE_API_KEY_ID'),
          appleApiIssuer: value('APPLE_API_ISSUER'),
        };
      case 'APPLE_ID':
        return {
          appPath,
          appleId: value('APPLE_ID'),
          appleIdPassword: value('APPLE_APP_SPECIFIC_PASSWORD'),
          teamId: value('APPLE_TEAM_ID'),
        };
      case 'APPLE_KEYCHAIN_PROFILE':
        return {
          appPath,
          keychainProfile: value('APPLE_KEYCHAIN_PROFILE'),
          ...(present('APPLE_KEYCHAIN') ? { keychain: value('APPLE_KEYCHAIN') } : {}),
        };
    }
  }
  return null;
}

/** The part of electron-builder's AfterPackContext this hook reads. */
export interface SignedAppContext {
  electronPlatformName: string;
  appOutDir: string;
  packager: { appInfo: { productFilename: string } };
}

export interface NotarizeDeps {
  env?: NodeJS.ProcessEnv;
  notarize?: (options: NotarizeOptions) => Promise<void>;
  log?: (line: string) => void;
}

/** Returns what it did, so the hook is testable without Apple's service. */
export async function notarizeIfConfigured(
  context: SignedAppContext,
  deps: NotarizeDeps = {},
): Promise<'notarized' | 'skipped'> {
  const log = deps.log ?? ((line: string) => console.log(`  • ${line}`));
  if (context.electronPlatformName !== 'darwin') return 'skipped';
  const appPath = join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`);
  const options = notarizeOptions(deps.env ?? process.env, appPath);
  if (!options) {
    log('notarization skipped: no APPLE_API_KEY / APPLE_ID / APPLE_KEYCHAIN_PROFILE credentials in the environment');
    return 'skipped';
  }
  const notarize = deps.notarize ?? (await import('@electron/notarize')).notarize;
  log(`notarizing ${appPath}`);
  await notarize(options);
  log('notarization done');
  return 'notarized';
}
