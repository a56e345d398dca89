// Pure URL decisions for the window's navigation and window-open guards.

/** True for the app's own page (the packaged file or the dev server), the only place the window may navigate. */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const target = new URL(url);
    const app = new URL(appUrl);
    if (app.protocol === 'file:') {
      return target.protocol === 'file:' && target.host === app.host && target.pathname === app.pathname;
    }
    return target.origin === app.origin;
  } catch {
    return false;
  }
}

/** External links a writer clicks may open in the system browser: plain http(s) to a named host, nothing else. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') return false;
    if (target.username || target.password) return false;
    return target.hostname.length > 0;
  } catch {
    return false;
  }
}

export type WindowOpenDecision = { action: 'deny'; openExternally: string | null };

/** window.open and target=_blank never create a window; safe web links go to the system browser. */
export function decideWindowOpen(url: string): WindowOpenDecision {
  return { action: 'deny', openExternally: isSafeExternalUrl(url) ? url : null };
}

export type NavigationDecision = { allow: boolean; openExternally: string | null };

/** In-window navigation stays on the app's page; a safe web link opens in the system browser instead. */
export function decideNavigation(url: string, appUrl: string): NavigationDecision {
  if (isAppUrl(url, appUrl)) return { allow: true, openExternally: null };
  return { allow: false, openExternally: isSafeExternalUrl(url) ? url : null };
}

/**
 * Whether an IPC call may reach the handlers: it must come from a live frame showing the app's own page (not a
 * frame that navigated elsewhere, an iframe with other content, or a destroyed frame).
 */
export function isTrustedSender(frame: { url: string } | null | undefined, appUrl: string): boolean {
  return frame !== null && frame !== undefined && isAppUrl(frame.url, appUrl);
}
