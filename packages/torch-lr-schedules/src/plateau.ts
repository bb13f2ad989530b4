// ReduceLROnPlateau, stepped per epoch with the metric it watches.
import type { LrSchedule } from './schedule';
import { describeValue } from './scheduleConfigError';
import type { ScheduleDefinition } from './specReader';

interface PlateauOptions {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLr: number;
  eps: number;
  monitor: 'testLoss' | 'trainLoss';
}

/**
 * ReduceLROnPlateau. After each epoch: an improvement (beyond the threshold, relative or absolute)
 * resets the bad-epoch count, otherwise it grows; bad epochs during cooldown are ignored; more than
 * `patience` bad epochs multiply the learning rate by `factor` (not below minLr, and not at all if
 * the change would be eps or less), then start the cooldown. A NaN metric compares as not better,
 * so it counts as a bad epoch, as in PyTorch.
 */
export class ReduceLROnPlateau implements LrSchedule {
  readonly stepsPer = 'epoch';
  readonly monitor: 'testLoss' | 'trainLoss';
  private current: number;
  private best: number;
  private numBadEpochs = 0;
  private cooldownCounter = 0;
  constructor(base: number, private readonly o: PlateauOptions) {
    this.current = base;
    this.monitor = o.monitor;
    this.best = o.mode === 'min' ? Infinity : -Infinity;
  }
  lr(): number {
    return this.current;
  }
  stepBatch(): void {}
  stepEpoch(metric?: number): void {
    if (typeof metric !== 'number') {
      throw new Error(
        `plateau schedule: stepEpoch needs the epoch's ${this.monitor} (the monitored metric), got ${describeValue(metric)}`,
      );
    }
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // ignore any bad epochs in cooldown
    }
    if (this.numBadEpochs > this.o.patience) {
      const newLr = Math.max(this.current * this.o.factor, this.o.minLr);
      if (this.current - newLr > this.o.eps) this.current = newLr;
      this.cooldownCounter = this.o.cooldown;
      this.numBadEpochs = 0;
    }
  }
  private isBetter(a: number, best: number): boolean {
    const { mode, threshold, thresholdMode } = this.o;
    if (mode === 'min' && thresholdMode === 'rel') return a < best * (1 - threshold);
    if (mode === 'min' && thresholdMode === 'abs') return a < best - threshold;
    if (mode === 'max' && thresholdMode === 'rel') return a > best * (threshold + 1);
    return a > best + threshold;
  }
}

export const plateau: ScheduleDefinition = {
  torchClass: 'ReduceLROnPlateau',
  fields: {
    mode: 'mode', factor: 'factor', patience: 'patience', threshold: 'threshold',
    thresholdMode: 'threshold_mode', cooldown: 'cooldown', minLr: 'min_lr', eps: 'eps',
    monitor: null,
  },
  example: `{ type: 'plateau', factor: 0.1, patience: 10 }`,
  create: (r, ctx) => new ReduceLROnPlateau(ctx.baseLr, {
    mode: r.choice('mode', ['min', 'max'] as const, 'min'),
    factor: r.number('factor', { what: 'a number in [0, 1)', ok: (v) => v >= 0 && v < 1 }, 0.1),
    patience: r.int('patience', 0, 10),
    threshold: r.nonNegative('threshold', 1e-4),
    thresholdMode: r.choice('thresholdMode', ['rel', 'abs'] as const, 'rel'),
    cooldown: r.int('cooldown', 0, 0),
    minLr: r.nonNegative('minLr', 0),
    eps: r.nonNegative('eps', 1e-8),
    monitor: r.choice('monitor', ['testLoss', 'trainLoss'] as const, 'testLoss'),
  }),
};
