export function findElectronBinary(): { path: string } | { reason: string };
export function displayUnavailableReason(): string | null;
export function startFallbackNotice(reason: string): string;
