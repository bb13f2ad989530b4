// What every schedule is: the spec it is made from, the training run it plans for, and the
// stepping PyTorch's training loop does. Per-epoch schedulers step once after each epoch (every
// batch of epoch 0 uses the base rate); per-batch schedulers after every optimizer step (optimizer
// step k, 0-based over the whole run, uses the scheduler's value for `last_epoch = k`).

/** `type` plus the camelCase form of the PyTorch scheduler's arguments (`stepSize` for `step_size`, …). */
export interface ScheduleSpec {
  type: string;
  [field: string]: unknown;
}

/** What createSchedule takes: a ScheduleSpec, or any typed spec of the caller's with a `type` (its fields are checked). */
export type ScheduleSpecInput = ScheduleSpec | { readonly type: string };

export interface ScheduleContext {
  /** The optimizer's learning rate (PyTorch's `initial_lr` / `base_lrs[0]`). */
  baseLr: number;
  epochs: number;
  /** Optimizer steps (batches) per epoch. */
  stepsPerEpoch: number;
}

export interface LrSchedule {
  readonly stepsPer: 'batch' | 'epoch';
  /** The metric a plateau schedule watches; null for every other schedule. */
  readonly monitor: 'testLoss' | 'trainLoss' | null;
  /** The learning rate to use for the next optimizer step. */
  lr(): number;
  /** Call after every optimizer step (advances per-batch schedules; no-op for per-epoch ones). */
  stepBatch(): void;
  /** Call after every epoch; plateau needs the monitored metric (a clear Error if missing). */
  stepEpoch(metric?: number): void;
}

export class Constant implements LrSchedule {
  readonly stepsPer = 'epoch';
  readonly monitor = null;
  constructor(private readonly value: number) {}
  lr(): number {
    return this.value;
  }
  stepBatch(): void {}
  stepEpoch(): void {}
}

/** Common part of the per-epoch LRScheduler subclasses: `last_epoch` and the current learning rate. */
export abstract class PerEpoch implements LrSchedule {
  readonly stepsPer = 'epoch';
  readonly monitor: 'testLoss' | 'trainLoss' | null = null;
  /** PyTorch's `last_epoch`: 0 after construction, +1 per `scheduler.step()`. */
  protected lastEpoch = 0;
  protected current: number;
  constructor(protected readonly base: number) {
    this.current = base;
  }
  lr(): number {
    return this.current;
  }
  stepBatch(): void {}
  stepEpoch(): void {
    this.lastEpoch += 1;
    this.current = this.next();
  }
  /** PyTorch's `get_lr()` for the new `lastEpoch`, from the current learning rate. */
  protected abstract next(): number;
}

/** Common part of the per-batch schedulers: `last_epoch` counts optimizer steps taken so far. */
export abstract class PerBatch implements LrSchedule {
  readonly stepsPer = 'batch';
  readonly monitor = null;
  protected step = 0;
  stepBatch(): void {
    this.step += 1;
  }
  stepEpoch(): void {}
  abstract lr(): number;
}
