// The planned learning rates of a run, walked stretch by stretch (a stretch: consecutive steps with
// one rate) and thinned as they come, so a run of any length is planned in constant memory.
import { UserError } from '../model/userError';
import type { ScheduleSpec } from '../protocol/experimentSpec';
import { MAX_PLANNED_LR_POINTS, type PlannedLr } from '../protocol/messages';
import { createSchedule, type LrSchedule, type ScheduleContext } from './lrSchedule';

/** Steps `first` (0-based) to `first + count - 1` all use `lr`. */
export interface LrStretch {
  first: number;
  count: number;
  lr: number;
}

/**
 * Stretches the trainer walks at most to draw a plan before the first step (a second or so);
 * a longer walk (a per-batch schedule over more steps, or a per-epoch one over more epochs) is
 * not planned ahead, as plateau's is not.
 */
export const PLAN_WALK_LIMIT = 4_000_000;

/** Optimizer steps of the run; above 2^53 step numbers are no longer exact, so such a run is refused. */
export function totalSteps(ctx: ScheduleContext): number {
  const total = ctx.epochs * ctx.stepsPerEpoch;
  if (total > Number.MAX_SAFE_INTEGER) {
    throw new UserError(`the run has ${ctx.epochs} epochs × ${ctx.stepsPerEpoch} steps = ${total.toExponential(2)} optimizer steps, ` +
      `more than can be counted exactly (${Number.MAX_SAFE_INTEGER}).`, null, 'Give fewer epochs.');
  }
  return total;
}

const isConstant = (spec: ScheduleSpec | undefined) => spec === undefined || spec === null || spec.type === 'none';

/** How many rates a walk of the schedule computes: one per step, per epoch, or one for a constant rate. */
export function walkLength(spec: ScheduleSpec | undefined, ctx: ScheduleContext): number {
  if (isConstant(spec)) return 1;
  return createSchedule(spec, ctx).stepsPer === 'batch' ? totalSteps(ctx) : ctx.epochs;
}

/**
 * The rate of every optimizer step of the run, as maximal stretches in step order (the same rates as
 * stepping the schedule step by step), walked lazily. Throws at once for a bad spec, and for plateau,
 * whose rates depend on the losses to come.
 */
export function plannedStretches(spec: ScheduleSpec | undefined, ctx: ScheduleContext): Iterable<LrStretch> {
  const schedule = createSchedule(spec, ctx);
  if (schedule.monitor !== null) {
    throw new UserError(`the "plateau" schedule depends on the ${schedule.monitor} of each epoch, so its learning rates cannot be planned ahead.`,
      null, 'Train with it to see its rates, or plan another schedule.');
  }
  const total = totalSteps(ctx);
  if (total === 0) return [];
  if (isConstant(spec)) return [{ first: 0, count: total, lr: schedule.lr() }];
  return walk(schedule, ctx);
}

function* walk(schedule: LrSchedule, ctx: ScheduleContext): Generator<LrStretch> {
  let pending: LrStretch | null = null;
  const add = (first: number, count: number, lr: number): LrStretch | null => {
    if (pending && pending.lr === lr) {
      pending.count += count;
      return null;
    }
    const finished = pending;
    pending = { first, count, lr };
    return finished;
  };
  for (let epoch = 0; epoch < ctx.epochs; epoch++) {
    const epochStart = epoch * ctx.stepsPerEpoch;
    if (schedule.stepsPer === 'epoch') {
      const finished = add(epochStart, ctx.stepsPerEpoch, schedule.lr());
      if (finished) yield finished;
    } else {
      for (let batch = 0; batch < ctx.stepsPerEpoch; batch++) {
        const finished = add(epochStart + batch, 1, schedule.lr());
        if (finished) yield finished;
        schedule.stepBatch();
      }
    }
    schedule.stepEpoch();
  }
  if (pending) yield pending;
}

/** The planned curve the model message carries, or null when it depends on losses or is too long to walk. */
export function plannedLr(spec: ScheduleSpec | undefined, ctx: ScheduleContext): PlannedLr | null {
  if (createSchedule(spec, ctx).monitor !== null || walkLength(spec, ctx) > PLAN_WALK_LIMIT) return null;
  return plannedCurve(plannedStretches(spec, ctx), totalSteps(ctx));
}

/** The planned rates of every step as the line the model message carries (see PlannedLr). */
export function plannedLrCurve(rates: readonly number[], maxPoints = MAX_PLANNED_LR_POINTS): PlannedLr {
  return plannedCurve(stretchesOf(rates), rates.length, maxPoints);
}

function* stretchesOf(rates: readonly number[]): Generator<LrStretch> {
  for (let first = 0; first < rates.length;) {
    let count = 1;
    while (first + count < rates.length && rates[first + count] === rates[first]) count++;
    yield { first, count, lr: rates[first] };
    first += count;
  }
}

/**
 * The line through the `n` steps' rates given as stretches in step order: both ends of every stretch
 * while that is at most `maxPoints` points; else, as the charts draw long series, the lowest and
 * highest rate of each of equal runs of steps (in step order), so a fast cycle stays a band
 * instead of aliasing. Memory stays O(maxPoints) however many steps.
 */
export function plannedCurve(stretches: Iterable<LrStretch>, n: number, maxPoints = MAX_PLANNED_LR_POINTS): PlannedLr {
  let ends: { step: number[]; lr: number[] } | null = { step: [], lr: [] };
  const buckets = Math.floor((maxPoints - 2) / 2);
  const bound = (k: number) => Math.floor((k * n) / buckets);
  const low: { i: number; lr: number }[] = [];
  const high: { i: number; lr: number }[] = [];
  let k = 0;
  let first = NaN;
  let last = NaN;
  for (const { first: s, count, lr } of stretches) {
    const e = s + count - 1;
    if (s === 0) first = lr;
    last = lr;
    if (ends) {
      ends.step.push(s + 1);
      ends.lr.push(lr);
      if (count > 1) { ends.step.push(e + 1); ends.lr.push(lr); }
      if (ends.step.length > maxPoints) ends = null;
    }
    // Every bucket this stretch reaches: its first step in the bucket is a candidate low and high.
    while (k < buckets) {
      const lo = bound(k);
      const hi = bound(k + 1);
      if (hi <= s) { k++; continue; }
      if (lo > e) break;
      const i = Math.max(s, lo);
      if (!low[k] || lr < low[k].lr) low[k] = { i, lr };
      if (!high[k] || lr > high[k].lr) high[k] = { i, lr };
      if (hi - 1 <= e) k++;
      else break;
    }
  }
  if (ends) return ends;
  const keep = [{ i: 0, lr: first }];
  for (let b = 0; b < buckets; b++) {
    const [a, z] = low[b].i <= high[b].i ? [low[b], high[b]] : [high[b], low[b]];
    for (const point of a.i === z.i ? [a] : [a, z]) if (point.i > keep[keep.length - 1].i) keep.push(point);
  }
  if (keep[keep.length - 1].i !== n - 1) keep.push({ i: n - 1, lr: last });
  return { step: keep.map((p) => p.i + 1), lr: keep.map((p) => p.lr) };
}
