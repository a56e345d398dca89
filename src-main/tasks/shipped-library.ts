// The shipped task definitions, bundled into main at build time (one import per file, so a missing file fails the
// build) and validated against the routing table's task ids on first use.
import beatStructure from '../../resources/tasks/beat_structure.json' with { type: 'json' };
import brainstorm from '../../resources/tasks/brainstorm.json' with { type: 'json' };
import chapterSummary from '../../resources/tasks/chapter_summary.json' with { type: 'json' };
import characterConsistency from '../../resources/tasks/character_consistency.json' with { type: 'json' };
import characterPsychology from '../../resources/tasks/character_psychology.json' with { type: 'json' };
import continuityCheck from '../../resources/tasks/continuity_check.json' with { type: 'json' };
import coordinator from '../../resources/tasks/coordinator.json' with { type: 'json' };
import dialoguePolish from '../../resources/tasks/dialogue_polish.json' with { type: 'json' };
import healthCheckReview from '../../resources/tasks/health_check_review.json' with { type: 'json' };
import lineEdit from '../../resources/tasks/line_edit.json' with { type: 'json' };
import pacingAnalysis from '../../resources/tasks/pacing_analysis.json' with { type: 'json' };
import privateNotesReview from '../../resources/tasks/private_notes_review.json' with { type: 'json' };
import sceneDraft from '../../resources/tasks/scene_draft.json' with { type: 'json' };
import themeAnalysis from '../../resources/tasks/theme_analysis.json' with { type: 'json' };
import timelineCheck from '../../resources/tasks/timeline_check.json' with { type: 'json' };
import tasksJson from '../../resources/tasks.json' with { type: 'json' };
import { parseTaskLibrary, type TaskLibrary } from './task-library';

export const SHIPPED_TASK_FILES: Record<string, unknown> = {
  'resources/tasks/beat_structure.json': beatStructure,
  'resources/tasks/brainstorm.json': brainstorm,
  'resources/tasks/chapter_summary.json': chapterSummary,
  'resources/tasks/character_consistency.json': characterConsistency,
  'resources/tasks/character_psychology.json': characterPsychology,
  'resources/tasks/continuity_check.json': continuityCheck,
  'resources/tasks/coordinator.json': coordinator,
  'resources/tasks/dialogue_polish.json': dialoguePolish,
  'resources/tasks/health_check_review.json': healthCheckReview,
  'resources/tasks/line_edit.json': lineEdit,
  'resources/tasks/pacing_analysis.json': pacingAnalysis,
  'resources/tasks/private_notes_review.json': privateNotesReview,
  'resources/tasks/scene_draft.json': sceneDraft,
  'resources/tasks/theme_analysis.json': themeAnalysis,
  'resources/tasks/timeline_check.json': timelineCheck,
};

let shipped: TaskLibrary | undefined;

/** Parsed once (pure data, no I/O); the composition root calls it at start-up so a bad file stops the app there. */
export function shippedTaskLibrary(): TaskLibrary {
  shipped ??= parseTaskLibrary(
    SHIPPED_TASK_FILES,
    tasksJson.tasks.map((t) => t.id),
  );
  return shipped;
}
