// Learning-rate schedules, checked against PyTorch's definitions (torch/optim/lr_scheduler.py).
// Every expected value is computed here from the PyTorch formula written next to it, never copied
// from the module's output; torchReference.test.ts compares with sequences recorded from real PyTorch.
//
// Stepping as in a PyTorch training loop: per-epoch schedulers step once after each epoch (so all
// of epoch 0 uses the base learning rate), per-batch schedulers after every optimizer step
// (optimizer step k, counted over the whole run from 0, uses the scheduler's value at last_epoch = k).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSchedule, plannedLearningRates, ScheduleConfigError } from '../src/index';
import { annealCos, annealLinear, assertClose, assertSeq, configError, drive, perEpoch, perStep, plateauLrs } from './scheduleAssertions';

describe('none / no schedule', () => {
  it('keeps the optimizer learning rate for every step when the spec is absent or type none', () => {
    const ctx = { baseLr: 0.01, epochs: 3, stepsPerEpoch: 4 };
    assertSeq(plannedLearningRates(undefined, ctx), perEpoch(ctx, () => 0.01), 'absent');
    assertSeq(plannedLearningRates({ type: 'none' }, ctx), perEpoch(ctx, () => 0.01), 'none');
    const s = createSchedule(undefined, ctx);
    assert.equal(s.monitor, null);
  });
});

describe('step (StepLR)', () => {
  it('is stepped per epoch: all batches of an epoch share one rate and epoch 0 uses the base rate', () => {
    const ctx = { baseLr: 0.1, epochs: 9, stepsPerEpoch: 3 };
    // StepLR: lr = base * gamma ** floor(epoch / step_size)
    const expected = perEpoch(ctx, (e) => 0.1 * 0.5 ** Math.floor(e / 2));
    assertSeq(plannedLearningRates({ type: 'step', stepSize: 2, gamma: 0.5 }, ctx), expected, 'step');
    assert.equal(createSchedule({ type: 'step', stepSize: 2 }, ctx).stepsPer, 'epoch');
  });

  it('defaults gamma to 0.1', () => {
    const ctx = { baseLr: 0.2, epochs: 7, stepsPerEpoch: 1 };
    // StepLR: lr = base * 0.1 ** floor(epoch / step_size)
    assertSeq(plannedLearningRates({ type: 'step', stepSize: 3 }, ctx), perEpoch(ctx, (e) => 0.2 * 0.1 ** Math.floor(e / 3)), 'step');
  });

  it('ignores stepBatch and moves only on stepEpoch', () => {
    const s = createSchedule({ type: 'step', stepSize: 1, gamma: 0.5 }, { baseLr: 0.1, epochs: 2, stepsPerEpoch: 100 });
    for (let i = 0; i < 100; i++) s.stepBatch();
    assertClose(s.lr(), 0.1, 'after 100 batches');
    s.stepEpoch();
    assertClose(s.lr(), 0.1 * 0.5 ** 1, 'after one epoch');
  });
});

describe('exponential (ExponentialLR)', () => {
  it('multiplies the rate by gamma after every epoch', () => {
    const ctx = { baseLr: 0.05, epochs: 12, stepsPerEpoch: 2 };
    // ExponentialLR: lr = base * gamma ** epoch
    assertSeq(plannedLearningRates({ type: 'exponential', gamma: 0.8 }, ctx), perEpoch(ctx, (e) => 0.05 * 0.8 ** e), 'exponential');
  });
});

describe('cosine (CosineAnnealingLR)', () => {
  // CosineAnnealingLR: lr = eta_min + (base - eta_min) * (1 + cos(pi * epoch / T_max)) / 2
  const cosine = (base: number, etaMin: number, tMax: number) => (e: number) =>
    etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * e) / tMax))) / 2;

  it('anneals from the base rate to etaMin at epoch tMax', () => {
    const ctx = { baseLr: 0.1, epochs: 11, stepsPerEpoch: 2 };
    const lrs = plannedLearningRates({ type: 'cosine', tMax: 10, etaMin: 0.001 }, ctx);
    assertSeq(lrs, perEpoch(ctx, cosine(0.1, 0.001, 10)), 'cosine');
    assertClose(lrs[10 * 2], 0.001, 'epoch tMax is at etaMin');
  });

  it('defaults etaMin to 0', () => {
    const ctx = { baseLr: 0.3, epochs: 6, stepsPerEpoch: 1 };
    assertSeq(plannedLearningRates({ type: 'cosine', tMax: 6 }, ctx), perEpoch(ctx, cosine(0.3, 0, 6)), 'cosine');
  });

  it('climbs back up after tMax (the cosine continues; it does not stay at etaMin)', () => {
    const ctx = { baseLr: 0.1, epochs: 13, stepsPerEpoch: 1 };
    const lrs = plannedLearningRates({ type: 'cosine', tMax: 4, etaMin: 0.01 }, ctx);
    // PyTorch's recursive form equals the closed form for every epoch, also past T_max (period 2 * T_max).
    assertSeq(lrs, perEpoch(ctx, cosine(0.1, 0.01, 4)), 'cosine past tMax');
    assert.ok(lrs[5] > lrs[4], 'rises after tMax');
    assertClose(lrs[8], 0.1, 'back at the base rate at 2 * tMax');
    assertClose(lrs[12], 0.01, 'at etaMin again at 3 * tMax');
  });
});

describe('cosineWarmRestarts (CosineAnnealingWarmRestarts)', () => {
  // CosineAnnealingWarmRestarts: lr = eta_min + (base - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2, where
  // T_i = T_0 * T_mult ** n is the current period and T_cur = epoch - T_0 * (T_mult ** n - 1) / (T_mult - 1)
  // (T_cur = epoch % T_0 when T_mult = 1), n the number of restarts so far.
  function warmRestarts(base: number, etaMin: number, t0: number, tMult: number) {
    return (epoch: number) => {
      let start = 0; // epoch of the last restart: T_0 * (T_mult ** n - 1) / (T_mult - 1)
      let period = t0; // T_i
      while (epoch >= start + period) {
        start += period;
        period *= tMult;
      }
      const tCur = epoch - start;
      return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * tCur) / period))) / 2;
    };
  }

  it('restarts every t0 epochs with tMult 1', () => {
    const ctx = { baseLr: 0.1, epochs: 13, stepsPerEpoch: 3 };
    assertSeq(plannedLearningRates({ type: 'cosineWarmRestarts', t0: 4 }, ctx), perEpoch(ctx, warmRestarts(0.1, 0, 4, 1)), 'tMult 1');
  });

  it('doubles the period after each restart with tMult 2 (restarts at epochs 3, 9, 21 for t0 3)', () => {
    const ctx = { baseLr: 0.1, epochs: 24, stepsPerEpoch: 1 };
    const lrs = plannedLearningRates({ type: 'cosineWarmRestarts', t0: 3, tMult: 2, etaMin: 0.001 }, ctx);
    assertSeq(lrs, perEpoch(ctx, warmRestarts(0.1, 0.001, 3, 2)), 'tMult 2');
    for (const restart of [0, 3, 9, 21]) assertClose(lrs[restart], 0.1, `restart at epoch ${restart}`);
    // Halfway through the second period (T_i = 6, T_cur = 3): eta_min + (base - eta_min) * (1 + cos(pi/2)) / 2
    assertClose(lrs[6], 0.001 + (0.1 - 0.001) / 2, 'middle of the second period');
  });
});

describe('oneCycle (OneCycleLR)', () => {
  it('is stepped per batch: the first step uses maxLr/divFactor, the peak is at step pctStart*total - 1', () => {
    const ctx = { baseLr: 0.5, epochs: 4, stepsPerEpoch: 25 };
    const total = 100;
    const maxLr = 0.1;
    const initial = maxLr / 25; // initial_lr = max_lr / div_factor
    const min = initial / 1e4; // min_lr = initial_lr / final_div_factor
    const end1 = 0.3 * total - 1; // phase 1 end_step = float(pct_start * total_steps) - 1
    const end2 = total - 1; // phase 2 end_step = total_steps - 1
    // pct = (step - phase start) / (phase end - phase start), annealed with cos
    const expected = perStep(ctx, (s) =>
      s <= end1 ? annealCos(initial, maxLr, s / end1) : annealCos(maxLr, min, (s - end1) / (end2 - end1)),
    );
    const lrs = plannedLearningRates({ type: 'oneCycle', maxLr }, ctx);
    assertSeq(lrs, expected, 'oneCycle');
    assertClose(lrs[0], 0.1 / 25, 'first step');
    assertClose(lrs[29], 0.1, 'peak');
    assertClose(lrs[99], 0.1 / 25 / 1e4, 'last step');
    assert.equal(createSchedule({ type: 'oneCycle', maxLr }, ctx).stepsPer, 'batch');
  });

  it('anneals linearly with anneal linear and honours pctStart, divFactor, finalDivFactor', () => {
    const ctx = { baseLr: 0.5, epochs: 3, stepsPerEpoch: 20 };
    const total = 60;
    const initial = 0.05 / 10;
    const min = initial / 100;
    const end1 = 0.25 * total - 1;
    const end2 = total - 1;
    const expected = perStep(ctx, (s) =>
      s <= end1 ? annealLinear(initial, 0.05, s / end1) : annealLinear(0.05, min, (s - end1) / (end2 - end1)),
    );
    const spec = { type: 'oneCycle', maxLr: 0.05, pctStart: 0.25, anneal: 'linear', divFactor: 10, finalDivFactor: 100 };
    assertSeq(plannedLearningRates(spec, ctx), expected, 'linear');
  });

  it('has three phases with threePhase: up to maxLr, back to the initial rate, then down to the minimum', () => {
    const ctx = { baseLr: 0.5, epochs: 5, stepsPerEpoch: 10 };
    const total = 50;
    const initial = 0.2 / 25;
    const min = initial / 1e4;
    // three-phase end steps: pct*T - 1, 2*pct*T - 2, T - 1
    const end1 = 0.3 * total - 1;
    const end2 = 2 * 0.3 * total - 2;
    const end3 = total - 1;
    const expected = perStep(ctx, (s) =>
      s <= end1
        ? annealCos(initial, 0.2, s / end1)
        : s <= end2
          ? annealCos(0.2, initial, (s - end1) / (end2 - end1))
          : annealCos(initial, min, (s - end2) / (end3 - end2)),
    );
    const lrs = plannedLearningRates({ type: 'oneCycle', maxLr: 0.2, threePhase: true }, ctx);
    assertSeq(lrs, expected, 'three-phase');
    assertClose(lrs[28], initial, 'back at the initial rate at the end of phase 2');
  });

  it('keeps a fractional phase end (float(pct_start * total_steps) - 1 is not rounded)', () => {
    const ctx = { baseLr: 0.5, epochs: 1, stepsPerEpoch: 37 };
    const initial = 0.3 / 25;
    const end1 = 0.3 * 37 - 1; // 10.1: step 10 is still rising, step 11 already falling
    const end2 = 37 - 1;
    const lrs = plannedLearningRates({ type: 'oneCycle', maxLr: 0.3 }, ctx);
    assertClose(lrs[10], annealCos(initial, 0.3, 10 / end1), 'step 10, below the peak');
    assertClose(lrs[11], annealCos(0.3, initial / 1e4, (11 - end1) / (end2 - end1)), 'step 11, past the peak');
    assert.ok(lrs[10] < 0.3 && lrs[11] < 0.3, 'no step lands exactly on maxLr');
  });

  it('uses totalSteps when given (a longer cycle is cut off at the end of training)', () => {
    const ctx = { baseLr: 0.5, epochs: 2, stepsPerEpoch: 10 };
    const total = 40;
    const initial = 0.1 / 25;
    const end1 = 0.3 * total - 1;
    const expected = perStep(ctx, (s) =>
      s <= end1 ? annealCos(initial, 0.1, s / end1) : annealCos(0.1, initial / 1e4, (s - end1) / (total - 1 - end1)),
    );
    assertSeq(plannedLearningRates({ type: 'oneCycle', maxLr: 0.1, totalSteps: 40 }, ctx), expected, 'totalSteps 40');
  });

  it('throws when stepped beyond totalSteps, as PyTorch does (never silently keeps the last rate)', () => {
    const s = createSchedule({ type: 'oneCycle', maxLr: 0.1 }, { baseLr: 0.1, epochs: 1, stepsPerEpoch: 5 });
    for (let i = 0; i < 5; i++) s.stepBatch(); // the 5 steps of the run are fine
    assert.throws(() => s.stepBatch(), /totalSteps is 5/);
  });

  it('rejects a totalSteps shorter than the run (PyTorch would fail mid-training)', () => {
    configError(() => createSchedule({ type: 'oneCycle', maxLr: 0.1, totalSteps: 10 }, { baseLr: 0.1, epochs: 2, stepsPerEpoch: 6 }), 'schedule "oneCycle"', 'totalSteps', '12');
  });

  it('rejects phases of zero steps, where PyTorch divides by zero', () => {
    // pct_start * total_steps = 1 makes phase 1 end at step 0, its length 0.
    configError(() => createSchedule({ type: 'oneCycle', maxLr: 0.1, pctStart: 0.1 }, { baseLr: 0.1, epochs: 1, stepsPerEpoch: 10 }), 'pctStart');
  });
});

describe('cyclic (CyclicLR)', () => {
  // CyclicLR, for optimizer step i (last_epoch):
  //   cycle = floor(1 + i / (up + down)); x = 1 + i / (up + down) - cycle; ratio = up / (up + down)
  //   scale_factor = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
  //   lr = base_lr + (max_lr - base_lr) * scale_factor * scale_fn
  //   scale_fn: triangular 1, triangular2 1 / 2 ** (cycle - 1), exp_range gamma ** i
  function clr(base: number, max: number, up: number, down: number, scaleFn: (cycle: number, i: number) => number) {
    return (i: number) => {
      const cycle = Math.floor(1 + i / (up + down));
      const x = 1 + i / (up + down) - cycle;
      const ratio = up / (up + down);
      const scaleFactor = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
      return base + (max - base) * scaleFactor * scaleFn(cycle, i);
    };
  }

  it('is stepped per batch and replaces the optimizer rate with baseLr (triangular)', () => {
    const ctx = { baseLr: 0.5, epochs: 4, stepsPerEpoch: 7 };
    const lrs = plannedLearningRates({ type: 'cyclic', baseLr: 0.001, maxLr: 0.006, stepSizeUp: 5 }, ctx);
    assertSeq(lrs, perStep(ctx, clr(0.001, 0.006, 5, 5, () => 1)), 'triangular');
    assertClose(lrs[0], 0.001, 'first step uses baseLr, not the optimizer rate');
    assertClose(lrs[5], 0.006, 'peak after stepSizeUp steps');
    assertClose(lrs[10], 0.001, 'back at baseLr after a full cycle');
    assert.equal(createSchedule({ type: 'cyclic', maxLr: 1 }, ctx).stepsPer, 'batch');
  });

  it('halves the amplitude every cycle with triangular2 (scale by the cycle number)', () => {
    const ctx = { baseLr: 0.5, epochs: 4, stepsPerEpoch: 8 };
    const lrs = plannedLearningRates({ type: 'cyclic', baseLr: 0.001, maxLr: 0.009, stepSizeUp: 3, stepSizeDown: 5, mode: 'triangular2' }, ctx);
    assertSeq(lrs, perStep(ctx, clr(0.001, 0.009, 3, 5, (cycle) => 1 / 2 ** (cycle - 1))), 'triangular2');
    // Peaks at steps 3, 11, 19, 27: base + (max - base) / 2 ** k
    [3, 11, 19, 27].forEach((step, k) => assertClose(lrs[step], 0.001 + 0.008 / 2 ** k, `peak of cycle ${k + 1}`));
  });

  it('scales by gamma ** iteration with exp_range (scale by the step, not the cycle)', () => {
    const ctx = { baseLr: 0.5, epochs: 5, stepsPerEpoch: 10 };
    const lrs = plannedLearningRates({ type: 'cyclic', baseLr: 0.002, maxLr: 0.02, stepSizeUp: 5, mode: 'exp_range', gamma: 0.97 }, ctx);
    assertSeq(lrs, perStep(ctx, clr(0.002, 0.02, 5, 5, (_cycle, i) => 0.97 ** i)), 'exp_range');
    assertClose(lrs[15], 0.002 + 0.018 * 0.97 ** 15, 'second peak');
  });

  it('defaults baseLr to the optimizer rate and stepSizeUp to 2000', () => {
    const ctx = { baseLr: 0.001, epochs: 1, stepsPerEpoch: 3000 };
    assertSeq(plannedLearningRates({ type: 'cyclic', maxLr: 0.01 }, ctx), perStep(ctx, clr(0.001, 0.01, 2000, 2000, () => 1)), 'defaults');
  });
});

describe('plateau (ReduceLROnPlateau)', () => {
  // ReduceLROnPlateau, after each epoch with metric m:
  //   better = m < best * (1 - threshold)   (min, rel) | m < best - threshold (min, abs)
  //            m > best * (1 + threshold)   (max, rel) | m > best + threshold (max, abs)
  //   better: best = m, bad = 0; else bad += 1
  //   in cooldown: cooldown -= 1, bad = 0
  //   bad > patience: new = max(lr * factor, min_lr); lr = new if lr - new > eps; cooldown = cooldown; bad = 0

  it('is per epoch, monitors testLoss by default and needs the metric', () => {
    const s = createSchedule({ type: 'plateau' }, { baseLr: 0.1, epochs: 3, stepsPerEpoch: 2 });
    assert.equal(s.stepsPer, 'epoch');
    assert.equal(s.monitor, 'testLoss');
    assert.throws(() => s.stepEpoch(), (e: unknown) => e instanceof Error && !(e instanceof ScheduleConfigError) && /testLoss/.test(e.message));
    assert.equal(createSchedule({ type: 'plateau', monitor: 'trainLoss' }, { baseLr: 0.1, epochs: 3, stepsPerEpoch: 2 }).monitor, 'trainLoss');
  });

  it('reduces by factor after more than patience epochs without improvement', () => {
    // patience 2: epochs 0,1 improve (best 0.9); 2,3,4 are bad (1, 2, 3 > 2) → reduce after epoch 4.
    const lrs = plateauLrs({ type: 'plateau', patience: 2 }, 0.1, [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95]);
    assertSeq(lrs, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1], 'patience 2');
    // Per batch, the rate only changes at epoch boundaries: patience 0, epoch 1 is bad → epoch 2 uses 0.1 * 0.1.
    const ctx = { baseLr: 0.1, epochs: 3, stepsPerEpoch: 3 };
    const perBatch = drive(createSchedule({ type: 'plateau', patience: 0 }, ctx), ctx, [1, 2, 2]);
    assertSeq(perBatch, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01], 'rates within epochs');
  });

  it('counts an improvement smaller than the relative threshold as a bad epoch', () => {
    // threshold 0.1 (rel, min): 0.95 is not < 1.0 * 0.9 → bad; patience 0 → reduce at once.
    // Then best stays 1.0: 0.85 < 0.9 is better (best 0.85); 0.8 is not < 0.765 → bad → reduce.
    const lrs = plateauLrs({ type: 'plateau', patience: 0, threshold: 0.1 }, 1, [1.0, 0.95, 0.85, 0.8, 0.8]);
    assertSeq(lrs, [1, 1, 0.1, 0.1, 0.01], 'threshold rel');
  });

  it('ignores bad epochs during cooldown', () => {
    // patience 0, cooldown 2, losses never improve after epoch 0:
    // epoch 1 bad → reduce (cooldown 2); epochs 2, 3 in cooldown (bad reset); epoch 4 bad → reduce.
    const lrs = plateauLrs({ type: 'plateau', patience: 0, cooldown: 2, factor: 0.5 }, 0.8, [1, 1, 1, 1, 1, 1, 1]);
    // rate used in epoch e is the rate after epoch e-1's step
    assertSeq(lrs, [0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2], 'cooldown');
  });

  it('does not go below minLr, and skips reductions of eps or less', () => {
    // factor 0.1 from 0.1: 0.01, then max(0.001, 0.005) = 0.005, then max(0.0005, 0.005) = 0.005 (no change).
    const lrs = plateauLrs({ type: 'plateau', patience: 0, minLr: 0.005 }, 0.1, [1, 1, 1, 1, 1]);
    assertSeq(lrs, [0.1, 0.1, 0.01, 0.005, 0.005], 'minLr');
    // eps 1e-7, factor 0.5 from 1e-6: 5e-7, 2.5e-7, 1.25e-7 (each drop > eps), then 1.25e-7 - 6.25e-8 ≤ eps → kept.
    const tiny = plateauLrs({ type: 'plateau', patience: 0, factor: 0.5, eps: 1e-7 }, 1e-6, [1, 2, 2, 2, 2, 2, 2]);
    assertSeq(tiny, [1e-6, 1e-6, 5e-7, 2.5e-7, 1.25e-7, 1.25e-7, 1.25e-7], 'eps');
  });

  it('reduces when the metric stops increasing in mode max, with an absolute threshold', () => {
    // max, abs 0.01: 0.5 better (best 0.5); 0.505 is not > 0.51 → bad (1 > patience 0) → reduce;
    // 0.6 > 0.51 better; 0.6 not > 0.61 → bad → reduce.
    const lrs = plateauLrs({ type: 'plateau', mode: 'max', thresholdMode: 'abs', threshold: 0.01, patience: 0, factor: 0.5 }, 0.1, [0.5, 0.505, 0.6, 0.6, 0.6]);
    assertSeq(lrs, [0.1, 0.1, 0.05, 0.05, 0.025], 'max abs');
  });

  it('cannot be planned ahead', () => {
    assert.throws(() => plannedLearningRates({ type: 'plateau' }, { baseLr: 0.1, epochs: 2, stepsPerEpoch: 2 }), /plateau/);
  });
});
