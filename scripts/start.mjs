// `npm start`: the desktop app where Electron can run; otherwise one line saying why, then the browser host.
import { spawn } from 'node:child_process';
import { displayUnavailableReason, findElectronBinary, startFallbackNotice } from './electron-binary.mjs';

const binary = findElectronBinary();
const reason = 'reason' in binary ? binary.reason : displayUnavailableReason();
const extra = process.argv.slice(2);

const child = reason
  ? (console.log(startFallbackNotice(reason)),
    spawn(process.execPath, ['out/main/host.js', ...extra], { stdio: 'inherit' }))
  : spawn(binary.path, ['.', ...extra], { stdio: 'inherit' });

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
