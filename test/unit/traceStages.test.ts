import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceMessage } from '../../src/protocol/messages';
import type { TensorView } from '../../src/protocol/traceMessages';
import { tensorView } from '../../src/trainer/tensorViews';
import { traceStages } from '../../webview/stepThrough/traceStages';

const v = (values: number[], shape = [values.length]): TensorView => tensorView(values, shape);

/** A one-layer softmax regression traced by hand: x = [2, −1], W (2×3), z = xW + b. */
function handTrace(): TraceMessage {
  const x = [2, -1];
  const p = [0.2, 0.5, 0.3];
  const dz = [0.2, -0.5, 0.3]; // p − onehot(1)
  const dW = x.flatMap((xi) => dz.map((d) => xi * d));
  const W = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
  const weight = (before: number[], grad: number[], shape: number[]) => ({
    name: shape.length === 2 ? 'kernel' : 'bias', before: v(before, shape), sampleGrad: v(grad, shape), batchGrad: v(grad.map((g) => g / 2), shape),
    delta: v(grad.map((g) => -0.1 * g / 2), shape), after: v(before.map((b, k) => b - 0.1 * grad[k] / 2), shape),
  });
  return {
    type: 'trace', epoch: 1, step: 1, batch: 1, batchSize: 2, sample: 0, sampleIndex: 9, lr: 0.1, optimizer: 'sgd', rule: 'ΔW = −lr·g', note: null,
    loss: { name: 'categoricalCrossentropy', value: -Math.log(0.5), targetClass: 1, target: [0, 1, 0], prediction: p, predictedClass: 1, logits: [0.1, 1, 0.5], outputGradient: dz },
    layers: [{
      layer: 'out', type: 'Dense', activation: 'softmax', frozen: false, input: v(x), preActivation: v([0.1, 1, 0.5]), output: v(p), activeShare: null,
      dOutput: v([0, -2, 0]), dPreActivation: v(dz), dInput: v([0.1, 0.2]), weights: [weight(W, dW, [2, 3]), weight([0, 0, 0], dz, [3])],
    }],
  };
}

describe('the stages of a traced step', () => {
  it('go forward through every layer, the loss, backward from the output, then the update', () => {
    const stages = traceStages(handTrace());
    assert.deepEqual(stages.map((s) => s.kind), ['forward', 'loss', 'backward', 'update']);
  });

  it('fill the loss with −log p[y] and the output gradient p − y', () => {
    const loss = traceStages(handTrace())[1];
    assert.equal(loss.formula, 'L = −log p[y]');
    assert.ok(loss.filled.includes('L = −log p[1] = −log 0.5 = 0.6931'), loss.filled.join('\n'));
    assert.ok(loss.filled.includes('dL/dz = p − y = [0.2, -0.5, 0.3]'), loss.filled.join('\n'));
  });

  it('fill dense backprop dL/dW = xᵀ·dL/dz at the entry where |x| and |dL/dz| are largest', () => {
    const backward = traceStages(handTrace())[2];
    assert.match(backward.formula, /J = diag\(p\) − p·pᵀ.*p − y.*dL\/dW = xᵀ·dL\/dz/);
    // |x| is largest at 0 (2), |dz| at 1 (−0.5): dL/dW[0,1] = 2·(−0.5) = −1.
    assert.ok(backward.filled.includes('dL/dW[0,1] = x[0]·dL/dz[1] = 2·(-0.5) = -1'), backward.filled.join('\n'));
  });

  it('fill the SGD update with before − lr·g = after', () => {
    const update = traceStages(handTrace())[3];
    assert.equal(update.formula, 'ΔW = −lr·g');
    assert.ok(update.filled.some((l) => l.startsWith('out.kernel[0]: 0.1 − 0.1·0.2 = 0.08;')), update.filled.join('\n'));
  });
});
