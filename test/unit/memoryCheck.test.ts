import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { WASM_HEAP_MAX_BYTES, type MemoryLimits } from '../../src/model/memoryLimits';
import { UserError } from '../../src/model/userError';
import type { SummaryTotals } from '../../src/protocol/modelInfo';
import { checkTrainingMemory, trainingMemory } from '../../src/trainer/memoryCheck';
import { createOptimizer, optimizerCopies } from '../../src/trainer/optimizers';
import type { OptimizerSpec } from '../../src/protocol/experimentSpec';

const WASM: MemoryLimits = { total: WASM_HEAP_MAX_BYTES, totalIs: "the wasm backend's heap", perTensor: WASM_HEAP_MAX_BYTES };

/** Totals of a dense model with `params` float32 parameters, all trainable, and `activationBytes` per batch. */
function totals(params: number, activationBytes: number): SummaryTotals {
  return {
    totalParams: params, trainableParams: params, nonTrainableParams: 0, multAdds: 0,
    inputBytes: 0, forwardBackwardBytes: activationBytes, paramBytes: 4 * params, totalBytes: 4 * params + activationBytes,
  };
}

function refusal(fn: () => void): UserError {
  let caught: unknown = null;
  try { fn(); } catch (e) { caught = e; }
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  return caught;
}

describe('training memory checked against the backend before the first step', () => {
  const params = 272_000_000; // 1.088 GB of float32 weights
  const run = (optimizer: string, copies: number) => ({ backend: 'wasm', optimizer, optimizerCopies: copies, batchSize: 32 });

  it('refuses Adam on wasm when weights, gradients and its two copies pass the 4 GiB heap, with the figures', () => {
    const e = refusal(() => checkTrainingMemory(trainingMemory(totals(params, 8e6), 2), WASM, run('adam', 2), null));
    assert.match(e.message, /^training needs about 4\.36 GB on the wasm backend \(weights 1\.09 GB, gradients 1\.09 GB, adam's 2 copies 2\.18 GB, activations at batch 32 8\.00 MB\), more than the wasm backend's heap holds \(4\.29 GB\)\.$/);
    assert.match(e.hint ?? '', /use sgd/);
  });

  it('lets the same model train with sgd, which keeps no copies', () => {
    assert.doesNotThrow(() => checkTrainingMemory(trainingMemory(totals(params, 8e6), 0), WASM, run('sgd', 0), null));
  });

  it('suggests a lower batch size when activations are most of it', () => {
    const e = refusal(() => checkTrainingMemory(trainingMemory(totals(1e6, 5e9), 0), WASM, run('sgd', 0), { file: 'x.ts', line: 3, column: 5 }));
    assert.match(e.hint ?? '', /lower the batch size/);
    assert.deepEqual(e.location, { file: 'x.ts', line: 3, column: 5 });
  });
});

describe('optimizer copies counted as tfjs keeps them', () => {
  const specs: OptimizerSpec[] = [
    { type: 'sgd', learningRate: 0.1 }, { type: 'sgd', learningRate: 0.1, momentum: 0.9 }, { type: 'momentum', learningRate: 0.1 },
    { type: 'adam', learningRate: 0.1 }, { type: 'rmsprop', learningRate: 0.1 }, { type: 'rmsprop', learningRate: 0.1, centered: true },
    { type: 'adagrad', learningRate: 0.1 },
  ];
  for (const spec of specs) {
    it(`${JSON.stringify(spec)}: as many as its saved weights beside the step count`, async () => {
      const v = tf.variable(tf.ones([3]));
      const optimizer = createOptimizer(spec);
      optimizer.applyGradients({ [v.name]: tf.ones([3]) });
      const saved = await optimizer.getWeights();
      assert.equal(optimizerCopies(spec), saved.length - 1);
      tf.dispose([v, ...saved.map((w) => w.tensor)]);
      optimizer.dispose();
    });
  }
});
