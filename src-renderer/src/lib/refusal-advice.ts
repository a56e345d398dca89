// What a writer should do when nothing can run a task, read from the decision's own reasons (codes, not messages):
// a passage too long for every usable model needs splitting, not a new API key.
import {
  onlyContextKeepsOut,
  RANKS_LOWER,
  type CandidateReason,
  type Decision,
  type PlannedPick,
} from '$contract/orchestrator';
import { formatBytes } from './format';
import type { DownloadState } from './managers/models.svelte';
import { TIER_INFO } from './tiers';

export interface RefusalAdvice {
  kind: 'info' | 'warning';
  title: string;
  /** The step, unless the refusal's message ends with its own (refusal.advised). */
  next?: string;
  /** Where that next step is taken, when it is one place. */
  go?: 'settings' | 'models';
}

/**
 * What the writer's tier would run the task on once set up (its plan's pick, as Settings → AI Intelligence shows it),
 * with the names to say it in.
 */
export interface SetupPick {
  pick: PlannedPick;
  modelName: string;
  taskName: string;
  /** Where the download the pick needs stands (the Models screen's and the welcome's ModelsManager.downloadState). */
  download?: DownloadState;
}

/** What keeps a model out of a run only because of how it was chosen: a writer may still pick it. */
const PICKABLE: ReadonlySet<CandidateReason> = new Set(['chosen', 'ranked_lower', 'not_in_pack', ...RANKS_LOWER]);

export function refusalAdvice(decision: Decision, setup: SetupPick | null = null): RefusalAdvice | null {
  if (!decision.refusal) return null;
  if (decision.refusal.code === 'budget_exceeded') {
    // The decision says what costs more than is left, and the steps that work now (Quire's own choice, an installed
    // local model, a larger budget): none is guessed here.
    return {
      kind: 'warning',
      title:
        decision.mode === 'forced'
          ? 'The model you picked costs more than the budget has left'
          : decision.mode === 'pack'
            ? `The model your pack “${decision.pack ?? ''}” names costs more than the budget has left`
            : 'Not enough of the monthly budget is left for this task',
      ...(decision.refusal.advised ? {} : { next: 'Raise the monthly budget in Settings.' }),
    };
  }
  if (decision.candidates.some((candidate) => candidate.reasons.includes('no_vision'))) {
    // The writer picked a model (or their pack names one) that cannot see the images while others could be picked —
    // only a writer's own choice keeps them out (a missing strength or quality, not in the pack) — so those, not a
    // key, are the way on.
    const seeing = decision.candidates.filter((candidate) => candidate.reasons.every((r) => PICKABLE.has(r)));
    if (decision.mode !== 'orchestrator' && seeing.length > 0) {
      return {
        kind: 'info',
        title:
          decision.mode === 'pack'
            ? `The model your pack “${decision.pack ?? ''}” names cannot see images`
            : 'The model you picked cannot see images',
        next: `Pick a model that sees them (${seeing
          .slice(0, 3)
          .map((candidate) => candidate.display_name)
          .join(', ')}), or let Quire choose, or remove the images to run on the text alone.`,
      };
    }
    // No ready model can see them: the key to add (in the message) or the images to remove.
    return {
      kind: 'info',
      title: 'No model that can see images is ready',
      next: 'Add a key for a provider whose models see images in Settings, or remove the images to run on the text alone.',
    };
  }
  // A model that could run it but for the length: the passage or the answer is the thing to change. An installed local
  // model's strength and quality only rank it lower (the last step down takes it when it fits), so they do not count.
  const onlyTooLong = decision.candidates.some((candidate) => onlyContextKeepsOut(candidate.reasons, candidate.local));
  // What the writer's tier would run it on once set up: a way past the length too (a model that reads more, or one
  // with the strength the others lack).
  const more = onlyTooLong ? setupStep(decision, setup) : null;
  if (onlyTooLong && decision.refusal.instruction_too_long) {
    // No passage fits: the message gives the numbers and ends with the step (a model with a larger context).
    return { kind: 'info', title: 'This task’s instruction alone is too long for the models you can use', ...more };
  }
  if (onlyTooLong) {
    return {
      kind: 'info',
      title: 'This passage and its answer are too long for the models you can use',
      next: `Pick a shorter answer length, or run it on a chapter or a scene at a time.${more ? ` Or: ${more.next}` : ''}`,
      ...(more?.go ? { go: more.go } : {}),
    };
  }
  // The writer's own choice stands in the way, not a missing setup: that choice is the thing to change.
  if (decision.mode === 'pack') {
    return {
      kind: 'info',
      title: `Your model pack “${decision.pack ?? ''}” cannot run this task`,
      next: 'Change the model it uses for this task in Settings → AI Intelligence → Model packs, or turn on “Choose models automatically” there.',
    };
  }
  if (decision.mode === 'forced') {
    return {
      kind: 'info',
      title: 'The model you picked cannot run this task',
      next: 'Pick another model, or let Quire choose.',
    };
  }
  const underWay = downloadUnderWay(decision, setup);
  if (underWay) return underWay;
  return {
    kind: 'info',
    title: 'Set up a model to run this task',
    ...(setupStep(decision, setup) ?? {
      next: 'Pick a tier and add the key it asks for in Settings → AI Intelligence, or download a local model on the Models screen.',
    }),
  };
}

/**
 * The download the pick needs is already going (started in the welcome or on the Models screen): the writer waits
 * for it, or resumes it, rather than being told to start it again.
 */
function downloadUnderWay(decision: Decision, setup: SetupPick | null): RefusalAdvice | null {
  const need = setup?.pick.need;
  const state = setup?.download;
  if (!setup || setup.pick.ready || need?.kind !== 'download' || !state || decision.mode !== 'orchestrator')
    return null;
  const name = need.display_name;
  const runs = `${setup.taskName} can run on it`;
  switch (state.kind) {
    case 'downloading':
      return {
        kind: 'info',
        title: 'Your model is downloading',
        next: `${name} is downloading (${howFar(state.received, state.total, true)}). When it finishes, ${runs}.`,
        go: 'models',
      };
    case 'checking':
      return {
        kind: 'info',
        title: 'Your model is downloading',
        next: `${name} has downloaded and Quire is checking it. When that finishes, ${runs}.`,
        go: 'models',
      };
    case 'paused':
      return {
        kind: 'info',
        title: 'Set up a model to run this task',
        next: `${name}’s download is paused at ${howFar(state.received, state.total, false)}: resume it on the Models screen, and ${runs} once it finishes.`,
        go: 'models',
      };
    default:
      return null;
  }
}

/** "45 %, 1.8 GB of 4 GB" (or "45 %" alone); the bytes alone when the size is not known. */
function howFar(received: number, total: number | null, bytes: boolean): string {
  if (!total) return formatBytes(received);
  const percent = `${Math.floor((received / total) * 100)} %`;
  return bytes ? `${percent}, ${formatBytes(received)} of ${formatBytes(total)}` : percent;
}

/**
 * The one thing that lets the writer's tier run the task, named: the key or the download its plan asks for (a key
 * only where the task may leave this Mac). Null when the plan has nothing to add for it.
 */
function setupStep(decision: Decision, setup: SetupPick | null): Pick<RefusalAdvice, 'next' | 'go'> | null {
  const need = setup?.pick.need;
  if (!setup || setup.pick.ready || !need || decision.mode !== 'orchestrator') return null;
  if (need.kind === 'key' && decision.local_only) return null;
  const lead = `${TIER_INFO[decision.tier_requested].label} would run ${setup.taskName} on ${setup.modelName}`;
  const step = need.label.charAt(0).toLowerCase() + need.label.slice(1);
  return need.kind === 'key'
    ? { next: `${lead} once you ${step} in Settings → AI Intelligence.`, go: 'settings' }
    : { next: `${lead} once you ${step} — on the Models screen.`, go: 'models' };
}
