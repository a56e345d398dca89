import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '$contract/orchestrator';
import { blankModel } from './endpoint-draft';
import { endpointModelUse } from './endpoint-use';

const task = (id: string, display_name: string, strength: TaskSpec['strength']): TaskSpec => ({
  id,
  display_name,
  description: '',
  strength,
  complexity: 5,
  typical_input_tokens: 1000,
  typical_output_tokens: 500,
  critical: false,
  may_leave_machine: true,
});
const TASKS = [
  task('continuity_check', 'Continuity check', 'narrative_continuity'),
  task('timeline_check', 'Timeline check', 'narrative_continuity'),
  task('line_edit', 'Line edit', 'prose_style'),
  task('brainstorm', 'Brainstorm', 'creative_generation'),
];
const llama = { ...blankModel(), id: 'llama3.1:8b' };

describe('endpointModelUse: what Quire will use an endpoint’s model for, said where the writer sets it', () => {
  it('a model with no strengths ticked is used only when the writer picks it', () => {
    expect(endpointModelUse(llama, TASKS)).toBe(
      'Quire will not choose it on its own until you tick what it is good at and rate it 6 or more. You can still ' +
        'pick it in the Workbench or a model pack.',
    );
    expect(endpointModelUse({ ...llama, quality: '8' }, TASKS)).toBe(
      'Quire will not choose it on its own until you tick what it is good at. You can still pick it in the Workbench ' +
        'or a model pack.',
    );
  });

  it('below the quality Quire needs, its strengths do not make it chosen, and it says what would', () => {
    expect(endpointModelUse({ ...llama, strengths: ['prose_style'] }, TASKS)).toBe(
      'Quire will not choose it on its own: rated 5, below the 6 it needs. You can still pick it in the Workbench or a model pack.',
    );
  });

  it('names the tasks its strengths fit, and that being free puts it before paid models for them', () => {
    expect(
      endpointModelUse({ ...llama, quality: '7', strengths: ['narrative_continuity', 'prose_style'] }, TASKS),
    ).toBe(
      'Quire will use this for: Continuity check, Timeline check and Line edit. It is free, so Lowest cost and ' +
        'Balanced pick it for these before any paid model.',
    );
    expect(
      endpointModelUse(
        { ...llama, quality: '6', strengths: ['creative_generation'], input_usd_per_mtok: '0.2' },
        TASKS,
      ),
    ).toBe('Quire may use this for: Brainstorm, when it is the best fit of your tier.');
  });

  it('says nothing while the quality is not a number (the form says that itself)', () => {
    expect(endpointModelUse({ ...llama, quality: 'seven', strengths: ['prose_style'] }, TASKS)).toBeNull();
  });
});
