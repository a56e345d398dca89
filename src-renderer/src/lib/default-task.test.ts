import { describe, expect, it } from 'vitest';
import { defaultTask } from './default-task';

describe('defaultTask: the Workbench opens on a writer’s task', () => {
  it('is the line edit when the table has one, never the internal coordinator listed first', () => {
    expect(defaultTask([{ id: 'coordinator' }, { id: 'theme_analysis' }, { id: 'line_edit' }])).toBe('line_edit');
  });
  it('else the first task that is not internal', () => {
    expect(defaultTask([{ id: 'coordinator' }, { id: 'health_check_review' }, { id: 'theme_analysis' }])).toBe(
      'theme_analysis',
    );
  });
  it('else whatever there is, and null for no tasks', () => {
    expect(defaultTask([{ id: 'coordinator' }])).toBe('coordinator');
    expect(defaultTask([])).toBeNull();
  });
});
