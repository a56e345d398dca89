export function findElectronBinary(): { path: string } | { reason: string };
export function displayUnavailableReason(): string | null;
