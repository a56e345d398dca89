import { describe, expect, it } from 'vitest';
import type { TaskInfo } from '$contract/tasks';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { TaskLibraryManager } from './task-library.svelte';

const task = (id: string, answer: TaskInfo['answer']): TaskInfo => ({
  id,
  version: 1,
  answer,
  description: `${id}.`,
  max_output_tokens: 500,
  request: 'optional',
  request_hint: null,
});

describe('TaskLibraryManager', () => {
  it('loads the library once, and a task that only suggests which check to run cannot be a tournament', async () => {
    const fake = new FakeApi().answer('tasks:library', {
      tasks: [task('coordinator', 'route'), task('continuity_check', 'findings')],
    });
    const library = new TaskLibraryManager(fake);
    // Before it has loaded, nothing is known and nothing is refused (the host refuses for itself).
    expect(library.info('coordinator')).toBeNull();
    expect(library.competes('coordinator')).toBe(true);
    await library.load();
    await library.load();
    expect(fake.countOf('tasks:library')).toBe(1);
    expect(library.info('continuity_check')?.answer).toBe('findings');
    expect(library.competes('continuity_check')).toBe(true);
    expect(library.competes('coordinator')).toBe(false);
    expect(library.competes('unknown_task')).toBe(true);
  });
});
