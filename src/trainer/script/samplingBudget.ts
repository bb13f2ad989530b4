// Which of a script's steps get gradient figures, counted per model (a script may train several, one
// after another). With an explicit --gradient-every every Nth step of a model does; with the default,
// a multiple of N is skipped while the figures have cost more than SAMPLING_BUDGET of the run's time
// so far, so a model whose steps take a millisecond or two is not slowed by figures that a slower
// model's steps hide. Each model's first step is always sampled.

/** The share of the run's wall time the gradient figures may take when the interval is the default. */
export const SAMPLING_BUDGET = 0.02;

export class SamplingBudget {
  private spentMs = 0;
  private readonly startedMs: number;

  constructor(
    readonly every: number,
    /** False when the user chose the interval: then every multiple of it is sampled. */
    readonly adaptive: boolean,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.startedMs = clock();
  }

  /** Whether a model's `step`-th update (1-based, its own count) gets gradient figures. */
  wants(step: number): boolean {
    if (step === 1) return true;
    if (step % this.every !== 0) return false;
    return !this.adaptive || this.spentMs <= SAMPLING_BUDGET * (this.clock() - this.startedMs);
  }

  /** Records what one sampled step's figures cost (the update itself left out). */
  spent(ms: number): void {
    this.spentMs += Math.max(0, ms);
  }
}
