// CosineAnnealingLR (PyTorch's recursive form) and CosineAnnealingWarmRestarts, stepped per epoch.
import { PerEpoch } from './schedule';
import type { ScheduleDefinition } from './specReader';

/** Python's `%` (result has the divisor's sign). */
const pyMod = (a: number, b: number): number => ((a % b) + b) % b;

/**
 * CosineAnnealingLR, PyTorch's recursive form. Its closed form (equal up to rounding) is
 * lr = eta_min + (base - eta_min) * (1 + cos(pi * epoch / T_max)) / 2 — which keeps going past T_max:
 * the learning rate climbs back to base at 2*T_max (CosineAnnealingLR does not stop at eta_min).
 */
export class CosineAnnealingLR extends PerEpoch {
  constructor(base: number, private readonly tMax: number, private readonly etaMin: number) {
    super(base);
  }
  protected next(): number {
    const e = this.lastEpoch;
    const T = this.tMax;
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      // The step right after a minimum, where the ratio below would divide by 1 + cos(pi) = 0.
      return this.current + ((this.base - this.etaMin) * (1 - Math.cos(Math.PI / T))) / 2;
    }
    return (
      ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (this.current - this.etaMin) +
      this.etaMin
    );
  }
}

/**
 * CosineAnnealingWarmRestarts stepped once per epoch: T_cur counts epochs since the last restart and
 * T_i is the current period; when T_cur reaches T_i it wraps to 0 and T_i is multiplied by T_mult.
 * lr = eta_min + (base - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2.
 */
export class CosineAnnealingWarmRestarts extends PerEpoch {
  private tCur = 0;
  private tI: number;
  constructor(base: number, t0: number, private readonly tMult: number, private readonly etaMin: number) {
    super(base);
    this.tI = t0;
  }
  protected next(): number {
    this.tCur += 1;
    if (this.tCur >= this.tI) {
      this.tCur -= this.tI;
      this.tI *= this.tMult;
    }
    return this.etaMin + ((this.base - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2;
  }
}

export const cosine: ScheduleDefinition = {
  torchClass: 'CosineAnnealingLR',
  fields: { tMax: 'T_max', etaMin: 'eta_min' },
  example: `{ type: 'cosine', tMax: 50, etaMin: 0 }`,
  create: (r, ctx) => new CosineAnnealingLR(
    ctx.baseLr,
    r.int('tMax', 1, undefined, 'the number of epochs from the base learning rate down to etaMin'),
    r.nonNegative('etaMin', 0),
  ),
};

export const cosineWarmRestarts: ScheduleDefinition = {
  torchClass: 'CosineAnnealingWarmRestarts',
  fields: { t0: 'T_0', tMult: 'T_mult', etaMin: 'eta_min' },
  example: `{ type: 'cosineWarmRestarts', t0: 10, tMult: 2 }`,
  create: (r, ctx) => new CosineAnnealingWarmRestarts(
    ctx.baseLr,
    r.int('t0', 1, undefined, 'the number of epochs until the first restart'),
    r.int('tMult', 1, 1),
    r.nonNegative('etaMin', 0),
  ),
};
