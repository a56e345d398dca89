// Sizes as a writer reads them, the same on every screen and in every message from the main process (a catalog card,
// a setup step, a fit verdict, a disk-space refusal): decimal units as the Mac's Finder counts, three significant
// digits without a trailing ".0" ("4.7 GB", "12.3 MB", "986 MB", "50 MB"), as macOS's own byte count formatter writes
// them, so one file is never two sizes in two places. A value that rounds up to a thousand of its unit is shown in the
// next one ("1 GB", never "1000.0 MB").

const UNITS = ['KB', 'MB', 'GB', 'TB'];

export function bytesText(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} ${Math.round(bytes) === 1 ? 'byte' : 'bytes'}`;
  let value = bytes / 1000;
  let unit = 0;
  for (;;) {
    const digits = value < 99.95 ? 1 : 0;
    const shown = value.toFixed(digits);
    if (Number(shown) < 1000 || unit === UNITS.length - 1) return `${shown.replace(/\.0$/, '')} ${UNITS[unit]}`;
    value /= 1000;
    unit++;
  }
}

/**
 * A size that is over `limit`, for a refusal beside the limit's own {@link bytesText}: "just over 5.2 MB" where the two
 * would read the same, so no message says a file of "5.2 MB" is too large for "at most 5.2 MB".
 */
export function sizeOverText(bytes: number, limit: number): string {
  const shown = bytesText(bytes);
  return bytes > limit && shown === bytesText(limit) ? `just over ${shown}` : shown;
}
