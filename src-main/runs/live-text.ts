// The words a streaming run has shown so far (its run:token pieces), kept while it runs: a window that reloads mid-run
// gets them back with the run (runs:get, RunRecord.live), and each piece says where it starts in them (`at`), so a
// piece the window has in those words already is not shown twice.
export interface LiveWords {
  /** The model writing them (a fallback's answer starts again from nothing). */
  model_id: string;
  text: string;
}

export class LiveText {
  private readonly runs = new Map<string, LiveWords>();

  /** A piece of `modelId`'s answer in `runId`: where it starts in that answer. */
  add(runId: string, modelId: string, text: string): number {
    const live = this.runs.get(runId);
    if (!live || live.model_id !== modelId) {
      this.runs.set(runId, { model_id: modelId, text });
      return 0;
    }
    const at = live.text.length;
    live.text += text;
    return at;
  }

  get(runId: string): LiveWords | undefined {
    const live = this.runs.get(runId);
    return live ? { ...live } : undefined;
  }

  /** The run ended: its record has what it kept. */
  end(runId: string): void {
    this.runs.delete(runId);
  }
}
