import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment } from '../../src/model/loadExperiment';
import { computeSummary } from '../../src/model/modelSummary';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import { fixture } from '../helpers/fixtures';

before(() => initInspectionRuntime());

describe('a frozen model nested first in a Sequential', () => {
  it('stays frozen once the Sequential is built and applied (tfjs would unfreeze it)', async () => {
    const { model } = await loadExperiment(fixture('train/frozen-base.ts'));
    tf.tidy(() => { model.apply(tf.zeros([1, 28, 28, 1]), { training: true }); });
    const summary = computeSummary(model);
    // conv 3·3·1·8 + 8 = 80 and 3·3·8·16 + 16 = 1,168 frozen; dense 400·32 + 32 and 32·10 + 10 trainable.
    assert.equal(summary.totals.nonTrainableParams, 80 + 1168);
    assert.equal(summary.totals.trainableParams, 400 * 32 + 32 + 32 * 10 + 10);
    assert.equal(model.trainableWeights.length, 4);
  });
});
