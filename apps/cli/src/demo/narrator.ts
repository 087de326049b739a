/**
 * The demo's voice: numbered steps, what happened in each (one line a fact), and progress that redraws in place on
 * a terminal and prints a line per milestone in a log (CI). Writes to the stream it is given (stdout by default).
 */
export interface NarratorOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export class Narrator {
  private step = 0;
  private stepStartedMs = 0;
  private readonly startedMs: number;
  /** The progress line currently drawn (terminal only), to be finished before anything else is written. */
  private progressOpen = false;
  /** Last quarter printed per label (logs only). */
  private readonly lastProgress = new Map<string, string>();

  constructor(
    private readonly out: NarratorOutput,
    private readonly now: () => number,
    private readonly totalSteps: number,
  ) {
    this.startedMs = now();
  }

  /** Starts step n of the total, with a title. */
  begin(title: string): void {
    this.closeProgress();
    this.step += 1;
    this.stepStartedMs = this.now();
    this.out.write(`\n[${this.step}/${this.totalSteps}] ${title}\n`);
  }

  /** One fact of the current step. */
  say(text: string): void {
    this.closeProgress();
    this.out.write(`      ${text}\n`);
  }

  /** Ends the step with its outcome and how long it took. */
  done(outcome: string): void {
    this.closeProgress();
    this.out.write(`      ✔ ${outcome} (${this.seconds(this.stepStartedMs)})\n`);
  }

  /** A bar for `done` of `total` (or a free-form status when total is 0), with a detail after it. */
  progress(label: string, done: number, total: number, detail = ''): void {
    const width = 24;
    const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
    const bar = total > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}` : '';
    const line = `      ${label} ${bar}${detail ? `  ${detail}` : ''}`;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.progressOpen = true;
      return;
    }
    // A log gets a line per quarter of the way (and the last one), not one per poll.
    const quarter = total > 0 ? (done >= total ? 'end' : String(Math.floor((done / total) * 4))) : detail;
    if (this.lastProgress.get(label) === quarter) return;
    this.lastProgress.set(label, quarter);
    this.out.write(`${line}\n`);
  }

  /** The closing lines: total time. */
  finish(summary: string): void {
    this.closeProgress();
    this.out.write(`\n${summary}\nThe demo took ${this.seconds(this.startedMs)}.\n`);
  }

  private seconds(fromMs: number): string {
    return `${((this.now() - fromMs) / 1000).toFixed(1)} s`;
  }

  private closeProgress(): void {
    if (this.progressOpen) this.out.write('\n');
    this.progressOpen = false;
  }
}
