// A script's training can keep this process's event loop from ever turning: tfjs's fit awaits only
// promises that are already settled unless the script passes callbacks of its own (then it waits a
// frame per batch), and a loop of `await model.trainOnBatch(…)` is the same. Promise callbacks run
// before any timer or I/O, so the trainer's message timer (main.ts) and the parent's `stop` would wait
// for the whole fit: no live figures, and a Stop that cannot be heard. Where the hooks see a step
// inside an async call, they let the event loop turn once enough time has passed since the last turn.
// That costs one setImmediate per interval, not one per step.

/** How often a training call lets the event loop turn: the trainer's message interval. */
export const TURN_EVERY_MS = 50;

export class EventLoopTurns {
  private last: number;

  constructor(
    private readonly everyMs = TURN_EVERY_MS,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.last = clock();
  }

  /**
   * A promise that resolves after timers and I/O have had their turn, when `everyMs` have passed since
   * the last; else null (the caller awaits nothing).
   */
  due(): Promise<void> | null {
    const t = this.clock();
    if (t - this.last < this.everyMs) return null;
    return new Promise((resolve) => setImmediate(() => {
      this.last = this.clock();
      resolve();
    }));
  }
}
