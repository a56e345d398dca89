// The window's sessionStorage: what a reload of the window keeps and quitting Quire forgets (the Workbench's draft and
// the run it follows, the month the Spend screen shows). A store that is unavailable or full keeps nothing; what is on
// screen is unaffected, so neither says more than that.

/** The value kept under `key`; null when there is none, or no store to read. */
export function sessionGet(key: string): string | null {
  try {
    return globalThis.sessionStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Keeps `value` under `key` (null: forgets it); false when the store would not. */
export function sessionSet(key: string, value: string | null): boolean {
  try {
    if (value === null) globalThis.sessionStorage?.removeItem(key);
    else globalThis.sessionStorage?.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}
