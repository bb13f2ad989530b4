// CyclicLR, stepped per optimizer step.
import { PerBatch } from './schedule';
import type { ScheduleDefinition } from './specReader';

/**
 * CyclicLR (momentum is not cycled). For optimizer step i:
 *   cycle = floor(1 + i / (up + down)),  x = 1 + i / (up + down) - cycle   (position in the cycle)
 *   scale = x / ratio when x <= ratio, else (x - 1) / (ratio - 1)          (ratio = up / (up + down))
 *   lr = base_lr + (max_lr - base_lr) * scale * f, with f = 1 (triangular),
 *   1 / 2 ** (cycle - 1) (triangular2, per cycle) or gamma ** i (exp_range, per iteration).
 */
export class CyclicLR extends PerBatch {
  private readonly totalSize: number;
  private readonly stepRatio: number;
  constructor(
    private readonly baseLr: number,
    private readonly maxLr: number,
    stepSizeUp: number,
    stepSizeDown: number,
    private readonly mode: 'triangular' | 'triangular2' | 'exp_range',
    private readonly gamma: number,
  ) {
    super();
    this.totalSize = stepSizeUp + stepSizeDown;
    this.stepRatio = stepSizeUp / this.totalSize;
  }
  lr(): number {
    const cycle = Math.floor(1 + this.step / this.totalSize);
    const x = 1 + this.step / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const baseHeight = (this.maxLr - this.baseLr) * scaleFactor;
    const scale =
      this.mode === 'triangular' ? 1 : this.mode === 'triangular2' ? 1 / 2.0 ** (cycle - 1) : this.gamma ** this.step;
    return this.baseLr + baseHeight * scale;
  }
}

export const cyclic: ScheduleDefinition = {
  torchClass: 'CyclicLR',
  fields: {
    baseLr: 'base_lr', maxLr: 'max_lr', stepSizeUp: 'step_size_up', stepSizeDown: 'step_size_down',
    mode: 'mode', gamma: 'gamma',
  },
  example: `{ type: 'cyclic', baseLr: 0.001, maxLr: 0.01, stepSizeUp: 2000 }`,
  create: (r, ctx) => {
    const baseLr = r.positive('baseLr', ctx.baseLr);
    const maxLr = r.positive('maxLr', undefined, 'the upper bound of the cycle');
    if (maxLr < baseLr) {
      const hint = 'CyclicLR cycles between baseLr (lower bound) and maxLr (upper bound).';
      r.fail('maxLr', `must be at least baseLr (${baseLr})`, maxLr, hint);
    }
    const stepSizeUp = r.int('stepSizeUp', 1, 2000);
    const stepSizeDown = r.int('stepSizeDown', 0, stepSizeUp);
    const mode = r.choice('mode', ['triangular', 'triangular2', 'exp_range'] as const, 'triangular');
    const gamma = r.number('gamma', { what: 'a number in (0, 1]', ok: (v) => v > 0 && v <= 1 }, 1);
    return new CyclicLR(baseLr, maxLr, stepSizeUp, stepSizeDown, mode, gamma);
  },
};
