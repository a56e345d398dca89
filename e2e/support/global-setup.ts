// Runs once before the e2e suite. The list reporter does not print skip reasons, so the Electron journey's fate is
// said plainly here.
import { displayUnavailableReason, findElectronBinary } from '../../scripts/electron-binary.mjs';

export default function globalSetup(): void {
  const binary = findElectronBinary();
  const reason = 'reason' in binary ? binary.reason : displayUnavailableReason();
  console.log(
    reason === null
      ? `Electron e2e: running against ${'path' in binary ? binary.path : ''}`
      : `Electron e2e: SKIPPED here because ${reason}; the browser-host journeys cover the same contract.`,
  );
}
