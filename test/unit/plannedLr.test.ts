// The planned learning-rate curve, computed stretch by stretch in bounded memory, against the
// definition: every step's rate in an array, thinned as PlannedLr (src/protocol/messages.ts) says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/model/userError';
import type { ScheduleSpec } from '../../src/protocol/experimentSpec';
import { MAX_PLANNED_LR_POINTS, type PlannedLr } from '../../src/protocol/messages';
import { plannedLearningRates, type ScheduleContext } from '../../src/trainer/lrSchedule';
import { PLAN_WALK_LIMIT, plannedLr, plannedStretches, totalSteps } from '../../src/trainer/plannedLr';

/** The definition on a full array: both ends of every stretch of equal rates while they fit, else the
 *  lowest and highest rate (first occurrence) of each of (max - 2) / 2 equal runs of steps. */
function referenceCurve(rates: number[], maxPoints = MAX_PLANNED_LR_POINTS): PlannedLr {
  const n = rates.length;
  const ends = rates.map((_, i) => i).filter((i) => i === 0 || i === n - 1 || rates[i] !== rates[i - 1] || rates[i] !== rates[i + 1]);
  if (ends.length <= maxPoints) return { step: ends.map((i) => i + 1), lr: ends.map((i) => rates[i]) };
  const runs = Math.floor((maxPoints - 2) / 2);
  const keep = [0];
  for (let k = 0; k < runs; k++) {
    const part = rates.slice(Math.floor((k * n) / runs), Math.floor(((k + 1) * n) / runs));
    const start = Math.floor((k * n) / runs);
    const low = start + part.indexOf(Math.min(...part));
    const high = start + part.indexOf(Math.max(...part));
    for (const i of [...new Set([Math.min(low, high), Math.max(low, high)])]) if (i > keep[keep.length - 1]) keep.push(i);
  }
  if (keep[keep.length - 1] !== n - 1) keep.push(n - 1);
  return { step: keep.map((i) => i + 1), lr: keep.map((i) => rates[i]) };
}

const CASES: { spec: ScheduleSpec | undefined; ctx: ScheduleContext }[] = [
  { spec: undefined, ctx: { baseLr: 0.01, epochs: 400, stepsPerEpoch: 30 } },
  { spec: { type: 'step', stepSize: 2, gamma: 0.5 }, ctx: { baseLr: 0.1, epochs: 6, stepsPerEpoch: 50 } },
  { spec: { type: 'cosine', tMax: 300 }, ctx: { baseLr: 0.1, epochs: 700, stepsPerEpoch: 3 } },
  { spec: { type: 'cosineWarmRestarts', t0: 7, tMult: 2 }, ctx: { baseLr: 0.1, epochs: 900, stepsPerEpoch: 2 } },
  { spec: { type: 'exponential', gamma: 0.999 }, ctx: { baseLr: 0.1, epochs: 499, stepsPerEpoch: 4 } },
  { spec: { type: 'oneCycle', maxLr: 0.1 }, ctx: { baseLr: 0.1, epochs: 40, stepsPerEpoch: 500 } },
  { spec: { type: 'oneCycle', maxLr: 0.1 }, ctx: { baseLr: 0.1, epochs: 3, stepsPerEpoch: 333 } },
  { spec: { type: 'cyclic', baseLr: 0.001, maxLr: 0.01, stepSizeUp: 10 }, ctx: { baseLr: 0.001, epochs: 40, stepsPerEpoch: 500 } },
  { spec: { type: 'cyclic', baseLr: 0.001, maxLr: 0.01, stepSizeUp: 3, mode: 'triangular2' }, ctx: { baseLr: 0.001, epochs: 7, stepsPerEpoch: 1001 } },
];

describe('planning the learning rates of a run in bounded memory', () => {
  it('walks the same rate at every step as stepping the schedule', () => {
    for (const { spec, ctx } of CASES) {
      const expanded: number[] = [];
      for (const s of plannedStretches(spec, ctx)) for (let i = 0; i < s.count; i++) expanded.push(s.lr);
      assert.deepEqual(expanded, plannedLearningRates(spec, ctx), spec?.type ?? 'absent');
    }
  });

  it('gives the curve of the definition, exact or thinned', () => {
    for (const { spec, ctx } of CASES) {
      const rates = plannedLearningRates(spec, ctx);
      const expected = referenceCurve(rates);
      assert.deepEqual(plannedLr(spec, ctx), expected, `${spec?.type ?? 'absent'} over ${rates.length} steps`);
    }
    assert.ok(CASES.some(({ spec, ctx }) => referenceCurve(plannedLearningRates(spec, ctx)).step.length > 600), 'some cases are thinned');
  });

  it('plans 250,000,000 epochs of a constant rate as its two ends', () => {
    assert.deepEqual(plannedLr(undefined, { baseLr: 0.01, epochs: 250_000_000, stepsPerEpoch: 1 }), { step: [1, 250_000_000], lr: [0.01, 0.01] });
  });

  it('plans a per-epoch schedule over a billion steps epoch by epoch, each point at its epoch’s rate', () => {
    const ctx = { baseLr: 0.1, epochs: 2000, stepsPerEpoch: 500_000 };
    const curve = plannedLr({ type: 'cosine', tMax: 2000 }, ctx);
    assert.ok(curve);
    const perEpoch = plannedLearningRates({ type: 'cosine', tMax: 2000 }, { ...ctx, stepsPerEpoch: 1 });
    assert.ok(curve.step.length <= MAX_PLANNED_LR_POINTS);
    assert.equal(curve.step[0], 1);
    assert.equal(curve.step[curve.step.length - 1], 1_000_000_000);
    curve.step.forEach((s, i) => assert.equal(curve.lr[i], perEpoch[Math.floor((s - 1) / ctx.stepsPerEpoch)], `step ${s}`));
  });

  it(`leaves unplanned a walk longer than ${PLAN_WALK_LIMIT.toLocaleString('en-US')} rates, as plateau's`, () => {
    assert.equal(plannedLr({ type: 'cosine', tMax: 10 }, { baseLr: 0.1, epochs: 250_000_000, stepsPerEpoch: 1 }), null);
    assert.equal(plannedLr({ type: 'oneCycle', maxLr: 0.1 }, { baseLr: 0.1, epochs: 10, stepsPerEpoch: PLAN_WALK_LIMIT }), null);
    assert.equal(plannedLr({ type: 'plateau' }, { baseLr: 0.1, epochs: 3, stepsPerEpoch: 3 }), null);
  });

  it('refuses a run with more steps than can be counted exactly', () => {
    assert.throws(() => totalSteps({ baseLr: 0.1, epochs: 1e12, stepsPerEpoch: 1e5 }),
      (e: unknown) => e instanceof UserError && /more than can be counted exactly/.test(e.message) && e.hint === 'Give fewer epochs.');
  });
});
