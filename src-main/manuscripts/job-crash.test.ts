// A crash mid-job loses no finished part: a child process running a five-part job is killed with SIGKILL while part 3
// is in flight; the parts it finished are in SQLite, and running the job again resumes at part 3.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { continuityFake } from '../../test/fixtures/continuity-fake';
import { charCount } from '../../test/fixtures/job-crash-shared';
import { useTempDir } from '../../test/support/temp-dir';
import { openDatabase } from '../store/database';
import { JobRunner } from './job-runner';
import { JobsRepo } from './jobs-repo';

const tempDir = useTempDir('quire-job-crash-');

describe('multi-part jobs across a crash', () => {
  it('crash mid-job (child killed after part 2) keeps parts 1–2, and the job resumes from part 3', async () => {
    const dataDir = tempDir();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './scripts/register-raw.mjs', 'test/fixtures/job-crash-child.ts', dataDir],
      { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit');
    const lines: string[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(line);
      if (line.startsWith('HANGING')) break;
    }
    expect(lines, stderr).toEqual(['DONE 1 of 5', 'DONE 2 of 5', 'HANGING 3']);
    child.kill('SIGKILL');
    expect((await exited)[1]).toBe('SIGKILL');

    const db = openDatabase(join(dataDir, 'quire.sqlite'));
    try {
      const repo = new JobsRepo(db);
      expect(repo.get('crash-job')!.status).toBe('running');
      expect(repo.unfinished()).toEqual(['crash-job']);
      expect(repo.parts('crash-job').map((p) => p.index)).toEqual([0, 1]);
      const fake = continuityFake();
      const result = await new JobRunner({ repo }).run('crash-job', fake.runPart, { count: charCount });
      expect(result.ran).toEqual([2, 3, 4]);
      expect(fake.calls.map((c) => c.part.index)).toEqual([2, 3, 4]);
      // Part 3 started from the story the crashed process stored after part 2.
      expect(fake.calls[0]!.story.facts.map((f) => f.text)).toEqual(["Mara's eyes are green"]);
      const contradiction = result.findings.find((f) => f.claim === "Mara's eye colour changes")!;
      expect(contradiction.evidence.map((e) => e.location)).toEqual([
        { chapter: 1, paragraph: 2 },
        { chapter: 5, paragraph: 3 },
      ]);
      expect(repo.get('crash-job')!.status).toBe('done');
    } finally {
      db.close();
    }
  });
});
