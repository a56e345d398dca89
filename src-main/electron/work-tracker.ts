// Counts the work that quitting would cut short (runs, tournaments, model downloads), from the pushed events. Pausing
// or cancelling a download emits no event, so a download seen in progress is counted only while `isDownloadActive`
// still says so.
import type { EventPayload, PushedEvent } from '../../src-preload/contract';
import { joinAnd } from '../../src-preload/contract/list-text';

export class WorkTracker {
  constructor(private readonly isDownloadActive: (id: string) => boolean = () => true) {}

  private readonly runs = new Set<string>();
  private readonly tournaments = new Set<string>();
  private readonly downloads = new Set<string>();

  observe(event: PushedEvent): void {
    switch (event.name) {
      case 'run:started':
        this.runs.add((event.payload as EventPayload<'run:started'>).run_id);
        break;
      case 'run:completed':
      case 'run:failed':
        this.runs.delete((event.payload as { run_id: string }).run_id);
        break;
      case 'tournament:started':
        this.tournaments.add((event.payload as EventPayload<'tournament:started'>).tournament_id);
        break;
      case 'tournament:completed':
        this.tournaments.delete((event.payload as EventPayload<'tournament:completed'>).tournament_id);
        break;
      case 'download:progress':
        this.downloads.add((event.payload as EventPayload<'download:progress'>).id);
        break;
      case 'download:done':
      case 'download:failed':
        this.downloads.delete((event.payload as { id: string }).id);
        break;
    }
  }

  counts(): { runs: number; tournaments: number; downloads: number } {
    const downloads = [...this.downloads].filter((id) => this.isDownloadActive(id)).length;
    return { runs: this.runs.size, tournaments: this.tournaments.size, downloads };
  }

  /** What to ask before quitting, or null when nothing is in progress. */
  quitQuestion(): { message: string; detail: string } | null {
    const { runs, tournaments, downloads } = this.counts();
    const total = runs + tournaments + downloads;
    if (total === 0) return null;
    const count = (n: number, one: string, many: string) => (n === 0 ? null : `${n} ${n === 1 ? one : many}`);
    const parts = [
      count(runs, 'run', 'runs'),
      count(tournaments, 'tournament', 'tournaments'),
      count(downloads, 'model download', 'model downloads'),
    ].filter((part) => part !== null);
    const list = joinAnd(parts);
    return {
      message: `Quit while ${list} ${total === 1 ? 'is' : 'are'} in progress?`,
      detail:
        'Runs and tournaments in progress are stopped. Downloads are paused and can be resumed where they stopped.',
    };
  }
}
