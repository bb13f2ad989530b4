// What the schedule tests share: closeness to PyTorch's values, the per-step sequences of per-epoch
// and per-batch formulas, a training loop's stepping, and the error a bad spec must raise.
import assert from 'node:assert/strict';
import { createSchedule, ScheduleConfigError, type LrSchedule, type ScheduleContext, type ScheduleSpec } from '../src/index';

/** Relative tolerance 1e-6 (absolute 1e-12 near zero). */
export function assertClose(actual: number, expected: number, what: string): void {
  const tol = Math.max(1e-6 * Math.abs(expected), 1e-12);
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected}, got ${actual} (|diff| ${Math.abs(actual - expected)} > ${tol})`,
  );
}

export function assertSeq(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: number of optimizer steps`);
  expected.forEach((e, i) => assertClose(actual[i], e, `${what}, optimizer step ${i}`));
}

/** The per-step sequence of a per-epoch formula: every batch of epoch e uses lrOfEpoch(e). */
export function perEpoch(ctx: ScheduleContext, lrOfEpoch: (epoch: number) => number): number[] {
  return Array.from({ length: ctx.epochs * ctx.stepsPerEpoch }, (_, i) => lrOfEpoch(Math.floor(i / ctx.stepsPerEpoch)));
}

/** The per-step sequence of a per-batch formula over the run's optimizer steps. */
export function perStep(ctx: ScheduleContext, lrOfStep: (step: number) => number): number[] {
  return Array.from({ length: ctx.epochs * ctx.stepsPerEpoch }, (_, i) => lrOfStep(i));
}

/** Drives a schedule like the trainer: lr() before each optimizer step, stepBatch() after it, stepEpoch(loss) after each epoch. */
export function drive(schedule: LrSchedule, ctx: ScheduleContext, losses?: number[]): number[] {
  const lrs: number[] = [];
  for (let e = 0; e < ctx.epochs; e++) {
    for (let b = 0; b < ctx.stepsPerEpoch; b++) {
      lrs.push(schedule.lr());
      schedule.stepBatch();
    }
    schedule.stepEpoch(losses?.[e]);
  }
  return lrs;
}

/** The learning rate of each epoch (first batch) of a plateau run driven with `losses`. */
export function plateauLrs(spec: ScheduleSpec, baseLr: number, losses: number[]): number[] {
  const ctx = { baseLr, epochs: losses.length, stepsPerEpoch: 1 };
  return drive(createSchedule(spec, ctx), ctx, losses);
}

/** Asserts that `fn` throws a ScheduleConfigError whose message contains every string in `parts`, and returns it. */
export function configError(fn: () => unknown, ...parts: string[]): ScheduleConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ScheduleConfigError, `expected a ScheduleConfigError, got ${String(caught)}`);
  for (const p of parts) assert.ok(caught.message.includes(p), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(p)}`);
  assert.ok(caught.hint && caught.hint.length > 0, 'a hint says what to do');
  return caught;
}

// OneCycleLR's annealing functions, as in PyTorch:
//   _annealing_cos(start, end, pct)    = end + (start - end) / 2 * (cos(pi * pct) + 1)
//   _annealing_linear(start, end, pct) = (end - start) * pct + start
export const annealCos = (start: number, end: number, pct: number) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
export const annealLinear = (start: number, end: number, pct: number) => (end - start) * pct + start;
