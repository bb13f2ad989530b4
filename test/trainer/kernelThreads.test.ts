// Our training kernels on tfjs-wasm's threaded build split their SIMD loops over two threads: the
// results must be bit for bit those of the same kernels on one thread, and match the cpu backend's
// stock kernels. Each case exercises one split: Winograd's transforms and filter-gradient sums, the
// direct filter gradient, col2im, MaxPool's and Relu's gradients, bias adds and sums, the depthwise
// filter gradient, Adam's step, a Dense layer's matrix products (our gemm loop, by strips of columns
// or blocks of rows), convolutions' forward passes as that loop over the filter rows (by images).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer, kernelThreads, kernelThreadsWork, registerTrainingKernels, setKernelThreads } from '@model-lens/tfjs-training-kernels';
import { enableRelaxedSimd } from '../../src/trainer/relaxedSimd';
import { startThreadedWasm } from '../../src/trainer/wasmThreads';

const TOLERANCE = 1e-4;

interface Case {
  name: string;
  inputs: number[][];
  /** The outputs and the gradients of Σ outputs·weights with respect to every input. */
  run(...xs: tf.Tensor[]): tf.Tensor;
}

const conv = (strides: number, pad: 'valid' | 'same') => (x: tf.Tensor, w: tf.Tensor) => tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad));
const CASES: Case[] = [
  { name: 'a 3×3 convolution that runs as Winograd (forward, filter and input gradients)', inputs: [[16, 13, 13, 32], [3, 3, 32, 64]], run: conv(1, 'valid') },
  { name: 'a deep layer of small maps (Winograd by stages: products split by columns of U, the filter gradient by rows of dU)', inputs: [[8, 4, 4, 128], [3, 3, 128, 128]],
    run: conv(1, 'same') },
  { name: 'a first layer of one input channel (its forward pass as our gemm loop, the direct filter gradient)', inputs: [[16, 28, 28, 1], [3, 3, 1, 32]], run: conv(1, 'valid') },
  { name: 'a 5×5 "same" convolution (its forward pass as our gemm loop, a product per output row of a padded copy)', inputs: [[8, 24, 24, 8], [5, 5, 8, 32]], run: conv(1, 'same') },
  { name: 'a strided convolution of 16 outputs a row (its forward pass as our gemm loop, a product per output row)', inputs: [[16, 32, 32, 32], [3, 3, 32, 32]], run: conv(2, 'same') },
  { name: 'a strided convolution (the GEMM and col2im input gradient)', inputs: [[8, 9, 9, 8], [3, 3, 8, 16]], run: conv(2, 'same') },
  { name: '2×2 max pooling and ReLU (their gradients)', inputs: [[16, 26, 26, 32]], run: (x) => tf.maxPool(tf.relu(x) as tf.Tensor4D, 2, 2, 'valid') },
  { name: '3×3 max pooling at stride 2 with "same" padding (our general pooling loop, windows clipped at the border)', inputs: [[32, 27, 27, 8]],
    run: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same') },
  { name: '2×2 max pooling of an odd-sized map (each chunk zeroes the row and column no window covers)', inputs: [[16, 11, 11, 64]],
    run: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'a batch norm\'s arithmetic (Sub, Multiply, RealDiv and Add by last-axis vectors, scalars and same shapes)', inputs: [[16, 16, 16, 32], [32]],
    run: (x, gamma) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), gamma), tf.mul(x, 0.5));
    } },
  { name: 'a batch norm\'s forward pass (FusedBatchNorm, per channel)', inputs: [[16, 16, 16, 32], [32], [32], [32], [32]],
    run: (x, mean, variance, offset, scale) => tf.batchNorm(x as tf.Tensor4D, mean as tf.Tensor1D, tf.square(variance) as tf.Tensor1D, offset as tf.Tensor1D, scale as tf.Tensor1D, 1e-3) },
  { name: 'a bias add', inputs: [[16, 26, 26, 32], [32]], run: (x, b) => tf.add(x, b) },
  { name: 'a depthwise convolution with two multipliers (its filter gradient)', inputs: [[8, 14, 14, 16], [3, 3, 16, 2]],
    run: (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') },
  { name: 'a Dense layer (its product, and the transposed products of its gradients)', inputs: [[64, 300], [300, 128]], run: (x, w) => tf.matMul(x, w) },
  { name: 'a product of 12 columns (cut by rows, 45 of them)', inputs: [[45, 4096], [4096, 12]], run: (x, w) => tf.matMul(x, w) },
  { name: 'a batch of products (whole ones per thread)', inputs: [[8, 45, 256], [8, 256, 12]], run: (x, w) => tf.matMul(x, w) },
];

/** A dense layer's kernel after three Adam steps of FusedAdamOptimizer (its one-kernel step) on the current backend. */
function adamSteps(): Float32Array {
  const w = tf.variable(tf.randomNormal([1600, 128], 0, 1, 'float32', 3), true, `w${Math.random()}`);
  const optimizer = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-7);
  for (let step = 0; step < 3; step++) {
    const g = tf.randomNormal([1600, 128], 0, 1, 'float32', 20 + step);
    optimizer.applyGradients([{ name: w.name, tensor: g }]);
    g.dispose();
  }
  const values = w.dataSync() as Float32Array;
  optimizer.dispose();
  w.dispose();
  return values;
}

/** Every output and gradient of `c`, flattened, computed on the current backend from seeded inputs. */
function compute(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const xs = c.inputs.map((shape, k) => tf.randomNormal(shape, 0, 1, 'float32', 11 + k));
    const y = c.run(...xs);
    const weights = tf.randomNormal(y.shape, 0, 1, 'float32', 7);
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(c.run(...args), weights)))(xs);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

describe('our wasm kernels split over two threads', () => {
  before(async () => {
    tf.env().set('PROD', true);
    assert.ok(enableRelaxedSimd({}), 'the trainer fuses multiply-adds, so the products run as our gemm loop');
    assert.equal(await startThreadedWasm(2), null, 'the threaded build must start for these tests');
    assert.ok(await tf.setBackend('wasm'));
    await tf.ready();
    registerTrainingKernels('wasm');
  });

  for (const c of CASES) {
    it(`${c.name}: the same bits as on one thread, and the cpu backend's values within ${TOLERANCE}`, async () => {
      await tf.setBackend('cpu');
      const cpu = compute(c);
      await tf.setBackend('wasm');
      setKernelThreads(1);
      const one = compute(c);
      setKernelThreads(2);
      assert.equal(kernelThreads(tf.backend()), 2, 'the kernels must run on a pool of two threads');
      // Again until the worker has taken a chunk: this thread takes them all while the worker wakes up.
      const worked = kernelThreadsWork();
      for (let run = 0; run < 50 && kernelThreadsWork() === worked; run++) {
        compute(c).forEach((values, k) => {
          assert.deepEqual(values, one[k], `output ${k} differs between two threads and one`);
          const error = relativeError(values, cpu[k]);
          assert.ok(error <= TOLERANCE, `output ${k}: relative error ${error} against cpu`);
        });
      }
      assert.ok(kernelThreadsWork() > worked, 'the worker thread ran none of the work');
    });
  }

  it(`Adam's one-kernel step: the same bits as on one thread, and the cpu backend's values within ${TOLERANCE}`, async () => {
    await tf.setBackend('wasm');
    setKernelThreads(2);
    const two = adamSteps();
    setKernelThreads(1);
    const one = adamSteps();
    setKernelThreads(2);
    await tf.setBackend('cpu');
    const cpu = adamSteps();
    await tf.setBackend('wasm');
    assert.deepEqual(two, one);
    const error = relativeError(two, cpu);
    assert.ok(error <= TOLERANCE, `relative error ${error} against cpu`);
  });

  it('leaks no tensors', async () => {
    await tf.setBackend('wasm');
    compute(CASES[0]);
    const before = tf.memory().numTensors;
    compute(CASES[0]);
    assert.equal(tf.memory().numTensors, before);
  });
});
