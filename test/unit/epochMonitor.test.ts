// Keras's EarlyStopping and ModelCheckpoint(save_best_only) counting, on sequences of epoch figures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EarlyStoppingSpec } from '../../src/protocol/experimentSpec';
import type { EpochEndMessage } from '../../src/protocol/messages';
import { BestValue, EarlyStopping, inferMode, monitoredValue, unmeasuredMonitor } from '../../src/trainer/epochMonitor';

const epoch = (n: number, testLoss: number | null, testAccuracy: number | null = null): EpochEndMessage => ({
  type: 'epochEnd', epoch: n, metrics: { loss: 1, accuracy: 0.5 },
  ...(testLoss !== null || testAccuracy !== null
    ? { test: { ...(testLoss !== null ? { loss: testLoss } : {}), ...(testAccuracy !== null ? { accuracy: testAccuracy } : {}) } }
    : {}),
  lr: 0.1, epochSec: 1, elapsedSec: n,
});

/** The epoch after which training stops, or null when it runs through. */
function stopsAfter(spec: EarlyStoppingSpec, values: (number | null)[], figure: 'loss' | 'accuracy' = 'loss'): number | null {
  const early = new EarlyStopping(spec);
  for (let i = 0; i < values.length; i++) {
    const m = figure === 'loss' ? epoch(i + 1, values[i]) : epoch(i + 1, null, values[i]);
    if (early.shouldStop(i + 1, m)) return i + 1;
  }
  return null;
}

describe('early stopping as Keras counts it', () => {
  it('stops after `patience` epochs without improvement of val_loss (the default monitor)', () => {
    // Improves at 1 and 2; 3 and 4 do not: wait reaches 2 at epoch 4.
    assert.equal(stopsAfter({ patience: 2 }, [1.0, 0.9, 0.95, 0.93, 0.8]), 4);
  });

  it('restarts the count at an improvement', () => {
    assert.equal(stopsAfter({ patience: 2 }, [1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.86]), 7);
  });

  it('counts an improvement only when it beats the best by more than minDelta', () => {
    assert.equal(stopsAfter({ patience: 1, minDelta: 0.1 }, [1.0, 0.95, 0.85]), 2);
    assert.equal(stopsAfter({ patience: 1, minDelta: 0.01 }, [1.0, 0.95, 0.85]), null);
  });

  it('never stops after the first epoch, and treats patience 0 like 1 (wait is counted before the check)', () => {
    assert.equal(stopsAfter({ patience: 0 }, [1.0, 1.2, 1.3]), 2);
    assert.equal(stopsAfter({ patience: 1 }, [1.0, 1.2, 1.3]), 2);
  });

  it('maximises accuracies when mode is left out, and follows an explicit mode', () => {
    assert.equal(stopsAfter({ monitor: 'val_accuracy', patience: 1 }, [0.5, 0.6, 0.7], 'accuracy'), null);
    assert.equal(stopsAfter({ monitor: 'val_accuracy', patience: 1 }, [0.7, 0.6, 0.5], 'accuracy'), 2);
    assert.equal(stopsAfter({ monitor: 'val_accuracy', patience: 1, mode: 'min' }, [0.7, 0.6, 0.5], 'accuracy'), null);
  });

  it('skips epochs where the figure was not measured (no test split)', () => {
    assert.equal(stopsAfter({ patience: 1 }, [null, null, null]), null);
  });
});

describe('the best value so far (keepBest)', () => {
  it('infers the mode from the name: accuracies and R² up, losses and errors down', () => {
    assert.deepEqual(['accuracy', 'val_accuracy', 'testAccuracy', 'r2', 'val_r2', 'testR2'].map((n) => inferMode(n)), Array(6).fill('max'));
    assert.deepEqual(['loss', 'val_loss', 'trainLoss', 'mae', 'val_mae', 'testMae', 'rmse'].map((n) => inferMode(n)), Array(7).fill('min'));
    assert.equal(inferMode('val_mae', 'max'), 'max', 'an explicit mode wins');
  });

  it('takes a value only when strictly better, keeping the first of equals', () => {
    const best = new BestValue('max');
    assert.deepEqual([0.5, 0.7, 0.7, 0.6, 0.8].map((v, i) => best.offer(v, i + 1)), [true, true, false, false, true]);
    assert.equal(best.bestEpoch, 5);
  });
});

describe('which split a monitored name reads', () => {
  const m: EpochEndMessage = { type: 'epochEnd', epoch: 1, metrics: { loss: 0.9, accuracy: 0.6 }, test: { loss: 0.7, accuracy: 0.8 }, lr: 0.1, epochSec: 1, elapsedSec: 1 };
  it('reads val_* from the validation split when there is one, test* always from the test split', () => {
    const withVal: EpochEndMessage = { ...m, val: { loss: 0.5, accuracy: 0.85 } };
    assert.deepEqual(['val_loss', 'val_accuracy', 'testLoss', 'testAccuracy'].map((n) => monitoredValue(n as never, withVal)), [0.5, 0.85, 0.7, 0.8]);
  });
  it('reads val_* from the test split when there is no validation split (an experiment)', () => {
    assert.deepEqual(['val_loss', 'val_accuracy'].map((n) => monitoredValue(n as never, m)), [0.7, 0.8]);
  });
  it('reads loss and accuracy from the training figures, null where a figure is missing', () => {
    assert.deepEqual(['loss', 'accuracy', 'trainLoss'].map((n) => monitoredValue(n as never, m)), [0.9, 0.6, 0.9]);
    assert.equal(monitoredValue('val_accuracy', { ...m, test: { loss: 0.7 } }), null);
  });
});

describe('monitoring the figures of a regression', () => {
  const m: EpochEndMessage = { type: 'epochEnd', epoch: 1, metrics: { loss: 0.9, mae: 0.6 }, test: { loss: 0.7, mae: 0.5, r2: 0.8 }, lr: 0.1, epochSec: 1, elapsedSec: 1 };
  it('reads mae from training, val_mae and val_r2 held out, testMae and testR2 from the test split', () => {
    assert.deepEqual(['mae', 'trainMae', 'val_mae', 'val_r2', 'testMae', 'testR2', 'accuracy'].map((n) => monitoredValue(n, m)), [0.6, 0.6, 0.5, 0.8, 0.5, 0.8, null]);
  });
  it('stops on val_mae that no longer falls, and not on an R² that keeps rising', () => {
    const run = (spec: EarlyStoppingSpec, tests: { mae: number; r2: number }[]) => {
      const early = new EarlyStopping(spec);
      return tests.findIndex((t, i) => early.shouldStop(i + 1, { ...m, epoch: i + 1, test: { loss: 1, ...t } })) + 1;
    };
    const tests = [{ mae: 0.5, r2: 0.5 }, { mae: 0.4, r2: 0.6 }, { mae: 0.45, r2: 0.7 }, { mae: 0.46, r2: 0.8 }];
    assert.equal(run({ monitor: 'val_mae', patience: 2 }, tests), 4);
    assert.equal(run({ monitor: 'val_r2', patience: 2 }, tests), 0, 'never stops');
  });
  it('says when a name is never measured by the task: accuracy in a regression, mae or r2 among classes', () => {
    assert.match(unmeasuredMonitor('val_accuracy', 'regression')!, /'val_accuracy' is never measured.*predicts numbers.*'val_mae'/);
    assert.match(unmeasuredMonitor('mae', 'classification')!, /learns classes.*'val_accuracy'/);
    assert.match(unmeasuredMonitor('r2', 'regression')!, /r2 on the test split/, 'R² is only measured on held-out data');
    assert.deepEqual(['loss', 'mae', 'val_mae', 'val_r2', 'testR2'].map((n) => unmeasuredMonitor(n, 'regression')), Array(5).fill(null));
    assert.deepEqual(['loss', 'accuracy', 'val_loss', 'testAccuracy'].map((n) => unmeasuredMonitor(n, 'classification')), Array(4).fill(null));
  });
});
