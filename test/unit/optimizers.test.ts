// The optimizer an experiment's `training.optimizer` makes: Adam is the fused one, whose one-kernel
// step is registered on wasm with the training kernels.
// (tfjs's optimizer classes answer `instanceof` for any optimizer, so the tests compare constructors.)
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { activeOverrides, FusedAdamOptimizer } from '@model-lens/tfjs-training-kernels';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../../src/trainer/optimizers';
import { startWasmWithOurKernels } from '../helpers/wasmKernels';

before(() => startWasmWithOurKernels(false));

describe('optimizers of an experiment', () => {
  it('make Adam the fused one, with its kernel registered on wasm', () => {
    assert.equal(createOptimizer({ type: 'adam', learningRate: 0.001 }).constructor, FusedAdamOptimizer);
    assert.ok(activeOverrides('wasm').includes('ModelLensAdamUpdate'));
  });

  it('make SGD tfjs\'s own', () => {
    assert.equal(createOptimizer({ type: 'sgd', learningRate: 0.1 }).constructor, tf.SGDOptimizer);
  });
});
