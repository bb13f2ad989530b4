// The fused kernels of inference (_FusedMatMul, FusedConv2D: product or convolution, bias, activation)
// on wasm through our gemm loop and Winograd, against the cpu backend: every activation tfjs fuses,
// with and without a bias, and the stock kernel for what we do not cover.
import * as v8 from 'node:v8';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useOurKernels, useStockKernels } from '../src/index';
import { createRandom, startWasmWithOurKernels } from './testBackends';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // our gemm loop runs products only with fused multiply-adds

const TOLERANCE = 1e-5;
type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'leakyrelu' | 'prelu';
const ACTIVATIONS: Activation[] = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'];

function seeded(shape: number[], seed: number, scale = 1): tf.Tensor {
  const random = createRandom(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => (random() * 2 - 1) * scale), shape);
}

type Op = (activation: Activation, withBias: boolean) => tf.Tensor;
const matMul: Op = (activation, withBias) => tf.fused.matMul({
  a: seeded([64, 96], 1), b: seeded([128, 96], 2), transposeB: true, activation, leakyreluAlpha: 0.1,
  bias: withBias ? seeded([128], 3) : undefined, preluActivationWeights: activation === 'prelu' ? seeded([128], 4, 0.5) : undefined,
});
const conv: Op = (activation, withBias) => tf.fused.conv2d({
  x: seeded([8, 16, 16, 32], 5) as tf.Tensor4D, filter: seeded([3, 3, 32, 64], 6, 0.2) as tf.Tensor4D, strides: 1, pad: 'same', activation,
  leakyreluAlpha: 0.1, bias: withBias ? seeded([64], 7) : undefined, preluActivationWeights: activation === 'prelu' ? seeded([64], 8, 0.5) : undefined,
});

async function values(backend: 'wasm' | 'cpu', op: Op, activation: Activation, withBias: boolean, stock = false): Promise<Float32Array> {
  await tf.setBackend(backend);
  if (stock) useStockKernels(backend);
  try {
    return tf.tidy(() => op(activation, withBias).dataSync() as Float32Array);
  } finally {
    if (stock) useOurKernels(backend);
  }
}

function relativeError(ours: Float32Array, reference: Float32Array): number {
  const scale = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);
  let worst = 0;
  for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(ours[i] - reference[i]) / scale);
  return worst;
}

describe('fused products and convolutions (inference) on wasm', () => {
  before(() => startWasmWithOurKernels());

  for (const [name, op] of [['a Dense layer\'s fused product (a·bᵀ)', matMul], ['a fused 3×3 convolution', conv]] as const) {
    for (const activation of ACTIVATIONS) {
      for (const withBias of [true, false]) {
        it(`${name}, ${activation}${withBias ? ', with a bias' : ''}: the cpu backend's values within ${TOLERANCE}, not the stock kernel's`, async () => {
          const cpu = await values('cpu', op, activation, withBias);
          await tf.setBackend('wasm');
          const before = tf.memory().numTensors;
          const ours = await values('wasm', op, activation, withBias);
          assert.equal(tf.memory().numTensors, before, 'tensors leaked');
          const error = relativeError(ours, cpu);
          assert.ok(error <= TOLERANCE, `relative error ${error}`);
          assert.notDeepEqual(ours, await values('wasm', op, activation, withBias, true), 'the stock kernel ran');
        });
      }
    }
  }

  it('leaves what we do not cover to the stock kernel (a strided convolution, a product of 10 columns)', async () => {
    await tf.setBackend('wasm');
    const strided = () => tf.tidy(() => tf.fused.conv2d({ x: seeded([2, 9, 9, 8], 9) as tf.Tensor4D, filter: seeded([3, 3, 8, 16], 10) as tf.Tensor4D,
      strides: 2, pad: 'same', activation: 'relu', bias: seeded([16], 11) }).dataSync() as Float32Array);
    const narrow = () => tf.tidy(() => tf.fused.matMul({ a: seeded([32, 64], 12), b: seeded([64, 10], 13), activation: 'relu' }).dataSync() as Float32Array);
    for (const f of [strided, narrow]) {
      const ours = f();
      useStockKernels('wasm');
      try {
        assert.deepEqual(ours, f());
      } finally {
        useOurKernels('wasm');
      }
    }
  });
});
