// Learning-rate schedules with PyTorch's definitions and stepping (torch/optim/lr_scheduler.py,
// PyTorch 1.13–2.x). A spec is `training.schedule` of the experiment file: `type` plus the camelCase
// form of the PyTorch scheduler's arguments (`stepSize` for `step_size`, …).
//
// Stepping follows the PyTorch training loop exactly:
//   per-epoch schedulers (step, exponential, cosine, cosineWarmRestarts, plateau) are stepped once
//   after each epoch, so every batch of epoch 0 uses the base learning rate;
//   per-batch schedulers (oneCycle, cyclic) are stepped after every optimizer step, so optimizer step
//   k (0-based, counted over the whole run) uses the scheduler's value for `last_epoch = k`.
//
// Where PyTorch updates the learning rate recursively ("chainable form": StepLR, ExponentialLR,
// CosineAnnealingLR) we do the same recursion, so the numbers match PyTorch's to the last bits rather
// than only the closed form's; the closed forms are given in comments.
import type { LooseScheduleSpec, ScheduleSpec } from '../protocol/experimentSpec';
import { UserError } from '../model/userError';

export interface ScheduleContext {
  /** The optimizer's learning rate (PyTorch's `initial_lr` / `base_lrs[0]`). */
  baseLr: number;
  epochs: number;
  /** Optimizer steps (batches) per epoch. */
  stepsPerEpoch: number;
}

export interface LrSchedule {
  readonly stepsPer: 'batch' | 'epoch';
  readonly monitor: 'testLoss' | 'trainLoss' | null; // only plateau has one
  /** The learning rate to use for the next optimizer step. */
  lr(): number;
  /** Call after every optimizer step (advances per-batch schedules; no-op for per-epoch ones). */
  stepBatch(): void;
  /** Call after every epoch; plateau needs the monitored metric (throw a clear Error if missing). */
  stepEpoch(metric?: number): void;
}

/** Every schedule type, with the PyTorch class it reproduces. */
const TORCH_CLASS = {
  none: 'a constant learning rate',
  step: 'StepLR',
  exponential: 'ExponentialLR',
  cosine: 'CosineAnnealingLR',
  cosineWarmRestarts: 'CosineAnnealingWarmRestarts',
  oneCycle: 'OneCycleLR',
  cyclic: 'CyclicLR',
  plateau: 'ReduceLROnPlateau',
} as const;
type ScheduleType = keyof typeof TORCH_CLASS;

/** Accepted fields per type: our camelCase name → PyTorch's argument name (null: ours, not PyTorch's). */
const FIELDS: Record<ScheduleType, Record<string, string | null>> = {
  none: {},
  step: { stepSize: 'step_size', gamma: 'gamma' },
  exponential: { gamma: 'gamma' },
  cosine: { tMax: 'T_max', etaMin: 'eta_min' },
  cosineWarmRestarts: { t0: 'T_0', tMult: 'T_mult', etaMin: 'eta_min' },
  oneCycle: {
    maxLr: 'max_lr', totalSteps: 'total_steps', pctStart: 'pct_start', anneal: 'anneal_strategy',
    divFactor: 'div_factor', finalDivFactor: 'final_div_factor', threePhase: 'three_phase',
  },
  cyclic: {
    baseLr: 'base_lr', maxLr: 'max_lr', stepSizeUp: 'step_size_up', stepSizeDown: 'step_size_down',
    mode: 'mode', gamma: 'gamma',
  },
  plateau: {
    mode: 'mode', factor: 'factor', patience: 'patience', threshold: 'threshold',
    thresholdMode: 'threshold_mode', cooldown: 'cooldown', minLr: 'min_lr', eps: 'eps',
    monitor: null,
  },
};

/** A minimal valid spec per type, for hints. */
const EXAMPLE: Record<ScheduleType, string> = {
  none: `{ type: 'none' }`,
  step: `{ type: 'step', stepSize: 10, gamma: 0.1 }`,
  exponential: `{ type: 'exponential', gamma: 0.95 }`,
  cosine: `{ type: 'cosine', tMax: 50, etaMin: 0 }`,
  cosineWarmRestarts: `{ type: 'cosineWarmRestarts', t0: 10, tMult: 2 }`,
  oneCycle: `{ type: 'oneCycle', maxLr: 0.01 }`,
  cyclic: `{ type: 'cyclic', baseLr: 0.001, maxLr: 0.01, stepSizeUp: 2000 }`,
  plateau: `{ type: 'plateau', factor: 0.1, patience: 10 }`,
};

const TYPES = Object.keys(TORCH_CLASS) as ScheduleType[];

export function createSchedule(spec: ScheduleSpec | LooseScheduleSpec | undefined, ctx: ScheduleContext): LrSchedule {
  checkContext(ctx);
  if (spec === undefined || spec === null) return new Constant(ctx.baseLr);
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    throw new UserError(
      `schedule must be an object with a "type", got ${show(spec)}`,
      null,
      `For example schedule: ${EXAMPLE.step}. Types: ${TYPES.join(', ')}.`,
    );
  }
  const type = spec.type;
  if (typeof type !== 'string' || !(TYPES as string[]).includes(type)) {
    const guess = typeof type === 'string' ? guessType(type) : undefined;
    throw new UserError(
      type === undefined ? 'schedule: "type" is missing' : `unknown schedule type ${show(type)}`,
      null,
      (guess ? `Did you mean "${guess}" (${guess === 'none' ? '' : 'PyTorch '}${TORCH_CLASS[guess]})? ` : '') +
        `Set schedule.type to one of: ${TYPES.join(', ')}.`,
    );
  }
  const r = new SpecReader(type as ScheduleType, spec as LooseScheduleSpec);
  r.rejectUnknownFields();

  switch (r.type) {
    case 'none':
      return new Constant(ctx.baseLr);

    case 'step':
      return new StepLR(
        ctx.baseLr,
        r.int('stepSize', 1, undefined, 'the number of epochs between two decays'),
        r.positive('gamma', 0.1),
      );

    case 'exponential':
      return new ExponentialLR(
        ctx.baseLr,
        r.positive('gamma', undefined, 'the factor applied to the learning rate after every epoch'),
      );

    case 'cosine':
      return new CosineAnnealingLR(
        ctx.baseLr,
        r.int('tMax', 1, undefined, 'the number of epochs from the base learning rate down to etaMin'),
        r.nonNegative('etaMin', 0),
      );

    case 'cosineWarmRestarts':
      return new CosineAnnealingWarmRestarts(
        ctx.baseLr,
        r.int('t0', 1, undefined, 'the number of epochs until the first restart'),
        r.int('tMult', 1, 1),
        r.nonNegative('etaMin', 0),
      );

    case 'oneCycle':
      return createOneCycle(r, ctx);

    case 'cyclic': {
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
    }

    case 'plateau':
      return new ReduceLROnPlateau(ctx.baseLr, {
        mode: r.choice('mode', ['min', 'max'] as const, 'min'),
        factor: r.number('factor', { what: 'a number in [0, 1)', ok: (v) => v >= 0 && v < 1 }, 0.1),
        patience: r.int('patience', 0, 10),
        threshold: r.nonNegative('threshold', 1e-4),
        thresholdMode: r.choice('thresholdMode', ['rel', 'abs'] as const, 'rel'),
        cooldown: r.int('cooldown', 0, 0),
        minLr: r.nonNegative('minLr', 0),
        eps: r.nonNegative('eps', 1e-8),
        monitor: r.choice('monitor', ['testLoss', 'trainLoss'] as const, 'testLoss'),
      });
  }
}

/** Learning rate of every optimizer step in order (epochs*stepsPerEpoch values); throws for plateau (it needs losses). */
export function plannedLearningRates(spec: ScheduleSpec | LooseScheduleSpec | undefined, ctx: ScheduleContext): number[] {
  const schedule = createSchedule(spec, ctx);
  if (schedule.monitor !== null) {
    throw new Error(
      `plannedLearningRates: the "plateau" schedule depends on the ${schedule.monitor} of each epoch, ` +
        'so its learning rates cannot be planned ahead; drive createSchedule(...).stepEpoch(loss) instead',
    );
  }
  const lrs: number[] = [];
  for (let epoch = 0; epoch < ctx.epochs; epoch++) {
    for (let batch = 0; batch < ctx.stepsPerEpoch; batch++) {
      lrs.push(schedule.lr());
      schedule.stepBatch();
    }
    schedule.stepEpoch();
  }
  return lrs;
}

// ---------------------------------------------------------------------------------------------
// Schedules

class Constant implements LrSchedule {
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
abstract class PerEpoch implements LrSchedule {
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

/** StepLR. Closed form: lr = base * gamma ** floor(epoch / step_size). */
class StepLR extends PerEpoch {
  constructor(base: number, private readonly stepSize: number, private readonly gamma: number) {
    super(base);
  }
  protected next(): number {
    return this.lastEpoch % this.stepSize !== 0 ? this.current : this.current * this.gamma;
  }
}

/** ExponentialLR. Closed form: lr = base * gamma ** epoch. */
class ExponentialLR extends PerEpoch {
  constructor(base: number, private readonly gamma: number) {
    super(base);
  }
  protected next(): number {
    return this.current * this.gamma;
  }
}

/**
 * CosineAnnealingLR, PyTorch's recursive form. Its closed form (equal up to rounding) is
 * lr = eta_min + (base - eta_min) * (1 + cos(pi * epoch / T_max)) / 2 — which keeps going past T_max:
 * the learning rate climbs back to base at 2*T_max (CosineAnnealingLR does not stop at eta_min).
 */
class CosineAnnealingLR extends PerEpoch {
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
class CosineAnnealingWarmRestarts extends PerEpoch {
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

/** Common part of the per-batch schedulers: `last_epoch` counts optimizer steps taken so far. */
abstract class PerBatch implements LrSchedule {
  readonly stepsPer = 'batch';
  readonly monitor = null;
  protected step = 0;
  stepBatch(): void {
    this.step += 1;
  }
  stepEpoch(): void {}
  abstract lr(): number;
}

interface Phase {
  endStep: number;
  startLr: number;
  endLr: number;
}

/**
 * OneCycleLR. Only the learning rate is scheduled: PyTorch's cycle_momentum (momentum / beta1
 * moving inversely to the learning rate) is not reproduced — the optimizer's momentum stays fixed.
 *
 * Beyond total_steps PyTorch raises a ValueError. We do the same, as a clear Error from stepBatch
 * (never silently keeping the final learning rate), and check up front that total_steps covers the
 * training run, so that only a wrong stepsPerEpoch can trigger it.
 */
class OneCycleLR extends PerBatch {
  constructor(
    private readonly totalSteps: number,
    private readonly phases: Phase[],
    private readonly anneal: 'cos' | 'linear',
  ) {
    super();
  }
  override stepBatch(): void {
    if (this.step + 1 > this.totalSteps) {
      throw new Error(
        `oneCycle schedule: stepBatch called ${this.step + 1} times, but totalSteps is ${this.totalSteps} ` +
          '(PyTorch OneCycleLR raises here too): more optimizer steps were taken than epochs × stepsPerEpoch',
      );
    }
    super.stepBatch();
  }
  lr(): number {
    let start = 0;
    for (let i = 0; i < this.phases.length; i++) {
      const phase = this.phases[i];
      if (this.step <= phase.endStep || i === this.phases.length - 1) {
        const pct = (this.step - start) / (phase.endStep - start);
        return this.anneal === 'cos'
          ? phase.endLr + ((phase.startLr - phase.endLr) / 2.0) * (Math.cos(Math.PI * pct) + 1)
          : (phase.endLr - phase.startLr) * pct + phase.startLr;
      }
      start = phase.endStep;
    }
    throw new Error('unreachable: OneCycleLR has at least one phase');
  }
}

function createOneCycle(r: SpecReader, ctx: ScheduleContext): LrSchedule {
  const maxLr = r.positive('maxLr', undefined, 'the peak learning rate of the cycle');
  const planned = ctx.epochs * ctx.stepsPerEpoch;
  // PyTorch: total_steps = epochs * steps_per_epoch unless given (a run without steps needs no cycle).
  const totalSteps = r.int('totalSteps', 1, Math.max(planned, 1));
  if (totalSteps < planned) {
    r.fail(
      'totalSteps',
      `must cover the whole run of ${planned} optimizer steps (${ctx.epochs} epochs × ${ctx.stepsPerEpoch} steps)`,
      totalSteps,
      'PyTorch OneCycleLR raises once stepped past total_steps. Leave totalSteps out to use epochs × steps per epoch.',
    );
  }
  const pctStart = r.number('pctStart', { what: 'a number in [0, 1]', ok: (v) => v >= 0 && v <= 1 }, 0.3);
  const anneal = r.choice('anneal', ['cos', 'linear'] as const, 'cos');
  const divFactor = r.positive('divFactor', 25);
  const finalDivFactor = r.positive('finalDivFactor', 1e4);
  const threePhase = r.bool('threePhase', false);

  const initialLr = maxLr / divFactor;
  const minLr = initialLr / finalDivFactor;
  // PyTorch's phase end steps, float arithmetic kept exactly as written there.
  const phases: Phase[] = threePhase
    ? [
        { endStep: pctStart * totalSteps - 1, startLr: initialLr, endLr: maxLr },
        { endStep: 2 * pctStart * totalSteps - 2, startLr: maxLr, endLr: initialLr },
        { endStep: totalSteps - 1, startLr: initialLr, endLr: minLr },
      ]
    : [
        { endStep: pctStart * totalSteps - 1, startLr: initialLr, endLr: maxLr },
        { endStep: totalSteps - 1, startLr: maxLr, endLr: minLr },
      ];
  if (threePhase && pctStart > 0.5) {
    r.fail(
      'pctStart',
      'must be at most 0.5 with threePhase',
      pctStart,
      'With threePhase the rise and the fall back to the initial rate take pctStart of the steps each, ' +
        'so the final phase would start after the end; lower pctStart or drop threePhase.',
    );
  }
  // PyTorch divides by each phase's length (end_step - previous end_step); a zero length is its ZeroDivisionError.
  let start = 0;
  for (const [i, phase] of phases.entries()) {
    if (phase.endStep - start === 0) {
      r.fail(
        'pctStart',
        `leaves phase ${i + 1} of the cycle with no steps (pctStart × totalSteps = ${pctStart * totalSteps})`,
        pctStart,
        'PyTorch OneCycleLR would divide by zero here. Choose a pctStart with pctStart × totalSteps ≠ 1 (and < totalSteps).',
      );
    }
    start = phase.endStep;
  }
  return new OneCycleLR(totalSteps, phases, anneal);
}

/**
 * CyclicLR (momentum is not cycled). For optimizer step i:
 *   cycle = floor(1 + i / (up + down)),  x = 1 + i / (up + down) - cycle   (position in the cycle)
 *   scale = x / ratio when x <= ratio, else (x - 1) / (ratio - 1)          (ratio = up / (up + down))
 *   lr = base_lr + (max_lr - base_lr) * scale * f, with f = 1 (triangular),
 *   1 / 2 ** (cycle - 1) (triangular2, per cycle) or gamma ** i (exp_range, per iteration).
 */
class CyclicLR extends PerBatch {
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
class ReduceLROnPlateau implements LrSchedule {
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
        `plateau schedule: stepEpoch needs the epoch's ${this.monitor} (the monitored metric), got ${show(metric)}`,
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

// ---------------------------------------------------------------------------------------------
// Validation

interface NumberCheck {
  what: string;
  ok: (v: number) => boolean;
}

/** Reads and checks the fields of one spec; every failure is a UserError naming type and field. */
class SpecReader {
  private readonly torchClass: string;
  constructor(
    readonly type: ScheduleType,
    private readonly spec: Record<string, unknown>,
  ) {
    this.torchClass = TORCH_CLASS[type];
  }

  rejectUnknownFields(): void {
    const known = FIELDS[this.type];
    const accepted = Object.keys(known);
    for (const key of Object.keys(this.spec)) {
      if (key === 'type' || Object.hasOwn(known, key) || this.spec[key] === undefined) continue;
      // PyTorch's snake_case name (`step_size`) or a different capitalisation (`tmax`).
      const lower = key.replace(/_/g, '').toLowerCase();
      const meant = accepted.find((k) => known[k] === key || k.toLowerCase() === lower);
      throw new UserError(
        `schedule "${this.type}": unknown field "${key}"`,
        null,
        (meant ? `Did you mean "${meant}"? ` : '') +
          (accepted.length
            ? `"${this.type}" (${this.torchClass}) accepts: ${accepted.join(', ')}.`
            : `"${this.type}" takes no fields besides type.`),
      );
    }
  }

  /**
   * A finite number passing `check`; `dflt` when absent. Without a default the field is required,
   * and `meaning` says what it is when it is missing.
   */
  number(field: string, check: NumberCheck, dflt?: number, meaning?: string): number {
    const v = this.spec[field];
    if (v === undefined) {
      if (dflt !== undefined) return dflt;
      throw new UserError(
        `schedule "${this.type}": ${field} is required${meaning ? ` (${meaning})` : ''}; set it to ${check.what}`,
        null,
        `For example schedule: ${EXAMPLE[this.type]} — ${this.describe(field)}.`,
      );
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || !check.ok(v)) this.fail(field, `must be ${check.what}`, v);
    return v as number;
  }

  positive(field: string, dflt?: number, meaning?: string): number {
    return this.number(field, { what: 'a number greater than 0', ok: (v) => v > 0 }, dflt, meaning);
  }

  nonNegative(field: string, dflt?: number): number {
    return this.number(field, { what: 'a number ≥ 0', ok: (v) => v >= 0 }, dflt);
  }

  /** An integer ≥ min (1: "a positive integer", 0: "a non-negative integer"). */
  int(field: string, min: 0 | 1, dflt?: number, meaning?: string): number {
    const what = min === 1 ? 'a positive integer' : 'a non-negative integer';
    return this.number(field, { what, ok: (v) => Number.isInteger(v) && v >= min }, dflt, meaning);
  }

  choice<T extends string>(field: string, options: readonly T[], dflt: T): T {
    const v = this.spec[field];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
      this.fail(field, `must be one of ${options.map((o) => `'${o}'`).join(', ')}`, v);
    }
    return v as T;
  }

  bool(field: string, dflt: boolean): boolean {
    const v = this.spec[field];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') this.fail(field, 'must be true or false', v);
    return v as boolean;
  }

  /** Throws `schedule "<type>": <field> <must>, got <value>` with a hint (the default names PyTorch's argument). */
  fail(field: string, must: string, got: unknown, hint?: string): never {
    throw new UserError(
      `schedule "${this.type}": ${field} ${must}, got ${show(got)}`,
      null,
      hint ?? `Fix training.schedule.${field} (${this.describe(field)}); for example schedule: ${EXAMPLE[this.type]}.`,
    );
  }

  private describe(field: string): string {
    const torch = FIELDS[this.type][field];
    return torch === null ? `${field} is our own field, not a PyTorch argument` : `${field} is ${this.torchClass}'s ${torch}`;
  }
}

/** The context comes from the user too (optimizer learningRate, epochs, CLI flags), so its errors are UserErrors. */
function checkContext(ctx: ScheduleContext): void {
  const bad = (what: string, must: string, got: number, hint: string): never => {
    throw new UserError(`schedule: ${what} must be ${must}, got ${show(got)}`, null, hint);
  };
  if (typeof ctx.baseLr !== 'number' || !Number.isFinite(ctx.baseLr) || ctx.baseLr < 0) {
    bad('the learning rate', 'a number ≥ 0', ctx.baseLr, 'Set training.optimizer.learningRate, e.g. 0.01.');
  }
  if (!Number.isInteger(ctx.epochs) || ctx.epochs < 0) {
    bad('epochs', 'a non-negative integer', ctx.epochs, 'Set training.epochs to a whole number of epochs.');
  }
  if (!Number.isInteger(ctx.stepsPerEpoch) || ctx.stepsPerEpoch < 0) {
    bad('the number of steps per epoch', 'a non-negative integer', ctx.stepsPerEpoch, 'It is ceil(training examples / batch size).');
  }
}

/** The schedule type meant by a misspelt one or a PyTorch class name (`StepLR`, `one_cycle`, `ReduceLROnPlateau`). */
function guessType(type: string): ScheduleType | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const aliases = new Map<string, ScheduleType>([
    ['constant', 'none'],
    ['cosineannealing', 'cosine'],
    ['sgdr', 'cosineWarmRestarts'],
    ['warmrestarts', 'cosineWarmRestarts'],
    ['reduceonplateau', 'plateau'],
  ]);
  for (const t of TYPES) {
    aliases.set(norm(t), t);
    if (t !== 'none') {
      aliases.set(norm(TORCH_CLASS[t]), t);
      aliases.set(norm(TORCH_CLASS[t]).replace(/lr$/, ''), t);
    }
  }
  return aliases.get(norm(type));
}

/** Python's `%` (result has the divisor's sign). */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'function') return 'a function';
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}
