// The probe launcher tests use: the real probe-child from its TypeScript source, run by Node with tsx.
import { NodeProbeLauncher } from '../../src-main/local/probe-launcher-node';

export function testProbeLauncher(env?: NodeJS.ProcessEnv): NodeProbeLauncher {
  return new NodeProbeLauncher({ entry: 'src-main/local/probe-child.ts', execArgv: ['--import', 'tsx'], env });
}
