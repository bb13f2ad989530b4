// The experiment's schedule in Model Lens: the PyTorch schedules of @model-lens/torch-lr-schedules
// with their mistakes reported as UserErrors at the experiment's field, and the planned curve the
// model message carries (plannedLrCurve, plannedLr.ts). The schedules themselves are tested in their package.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSchedule, plannedLearningRates } from '../../src/trainer/lrSchedule';
import { plannedLrCurve } from '../../src/trainer/plannedLr';
import { MAX_PLANNED_LR_POINTS } from '../../src/protocol/messages';
import { UserError } from '../../src/model/userError';

describe('schedule mistakes in an experiment', () => {
  it('reach the user as a UserError whose hint names the field under training.schedule', () => {
    const ctx = { baseLr: 0.1, epochs: 2, stepsPerEpoch: 2 };
    assert.throws(() => createSchedule({ type: 'step', stepSize: 0 }, ctx), (e: unknown) =>
      e instanceof UserError && e.message === 'schedule "step": stepSize must be a positive integer, got 0'
      && /^Fix training\.schedule\.stepSize \(stepSize is StepLR's step_size\)/.test(e.hint ?? ''));
    assert.throws(() => plannedLearningRates({ type: 'steplr' }, ctx), (e: unknown) =>
      e instanceof UserError && /unknown schedule type "steplr"/.test(e.message) && /training\.schedule\.type/.test(e.hint ?? ''));
  });

  it('leave errors that are not about the spec as they are', () => {
    assert.throws(() => plannedLearningRates({ type: 'plateau' }, { baseLr: 0.1, epochs: 2, stepsPerEpoch: 2 }),
      (e: unknown) => e instanceof Error && !(e instanceof UserError) && /plateau/.test(e.message));
  });
});

describe('the planned schedule as the model message carries it (plannedLrCurve)', () => {
  /** The curve's rate at every step 1..n, straight between its points. */
  function atEveryStep(curve: { step: number[]; lr: number[] }, n: number): number[] {
    const out: number[] = [];
    let k = 0;
    for (let s = 1; s <= n; s++) {
      while (curve.step[k + 1] !== undefined && curve.step[k + 1] <= s) k++;
      const next = Math.min(k + 1, curve.step.length - 1);
      const span = curve.step[next] - curve.step[k];
      out.push(span === 0 ? curve.lr[k] : curve.lr[k] + ((curve.lr[next] - curve.lr[k]) * (s - curve.step[k])) / span);
    }
    return out;
  }

  it('keeps a step schedule exact with both ends of every stretch', () => {
    const rates = plannedLearningRates({ type: 'step', stepSize: 2, gamma: 0.5 }, { baseLr: 0.1, epochs: 6, stepsPerEpoch: 50 });
    const curve = plannedLrCurve(rates);
    assert.equal(curve.step.length, 6, 'three stretches of 100 steps, two points each');
    assert.deepEqual(curve.step, [1, 100, 101, 200, 201, 300]);
    assert.deepEqual(atEveryStep(curve, rates.length), rates);
  });

  it('sends a constant rate as two points', () => {
    const rates = plannedLearningRates(undefined, { baseLr: 0.01, epochs: 400, stepsPerEpoch: 30 });
    assert.deepEqual(plannedLrCurve(rates), { step: [1, 12_000], lr: [0.01, 0.01] });
  });

  it(`samples a schedule that changes every step at ≤ ${MAX_PLANNED_LR_POINTS} points, first and last step included`, () => {
    const ctx = { baseLr: 0.1, epochs: 40, stepsPerEpoch: 500 };
    const rates = plannedLearningRates({ type: 'oneCycle', maxLr: 0.1 }, ctx);
    const curve = plannedLrCurve(rates);
    assert.ok(curve.step.length <= MAX_PLANNED_LR_POINTS && curve.step.length > MAX_PLANNED_LR_POINTS / 2, `${curve.step.length} points`);
    assert.ok(curve.step.every((s, i) => i === 0 || s > curve.step[i - 1]), 'steps ascend');
    assert.equal(curve.step[0], 1);
    assert.equal(curve.step[curve.step.length - 1], 20_000);
    curve.step.forEach((s, i) => assert.equal(curve.lr[i], rates[s - 1], `the point at step ${s} is the planned rate`));
    const worst = Math.max(...atEveryStep(curve, rates.length).map((v, i) => Math.abs(v - rates[i])));
    assert.ok(worst < 1e-3 * 0.1, `largest gap between the line and the plan: ${worst}`);
  });

  it('keeps a cycle faster than the points can follow as a band from its lowest to its highest rate, all run long', () => {
    const ctx = { baseLr: 0.001, epochs: 40, stepsPerEpoch: 500 };
    const rates = plannedLearningRates({ type: 'cyclic', baseLr: 0.001, maxLr: 0.01, stepSizeUp: 10 }, ctx); // period 20
    const lowest = Math.min(...rates);
    const highest = Math.max(...rates);
    const curve = plannedLrCurve(rates);
    assert.ok(curve.step.length <= MAX_PLANNED_LR_POINTS);
    for (let tenth = 0; tenth < 10; tenth++) {
      const inTenth = curve.lr.filter((_, i) => Math.floor((curve.step[i] - 1) / 2000) === tenth);
      assert.equal(Math.min(...inTenth), lowest, `tenth ${tenth} reaches the lowest rate`);
      assert.equal(Math.max(...inTenth), highest, `tenth ${tenth} reaches the highest rate`);
    }
  });
});
