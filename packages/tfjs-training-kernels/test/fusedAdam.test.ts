// FusedAdamOptimizer (src/fusedAdam.ts): on wasm each variable's Adam step is one kernel
// (ModelLensAdamUpdate); it must give what tf.train.adam gives — on wasm with tfjs's own kernels bit
// for bit, on cpu to float32 rounding — keep the same state, and leak no tensors.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer } from '../src/index';
import { createRandom, startWasmWithOurKernels } from './testBackends';

const SHAPES = [[7, 5], [16], [3], [1], [40, 33]];
const STEPS = 6;

function values(seed: number, n: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * random() - 1);
}

/** Trains one set of variables for STEPS steps of made-up gradients; returns every variable, m and v. */
async function run(backend: 'wasm' | 'cpu', make: () => tf.Optimizer): Promise<{ weights: Float32Array[]; state: string[]; leaked: number }> {
  await tf.setBackend(backend);
  const vars = SHAPES.map((shape, k) => tf.variable(tf.tensor(values(k + 1, shape.reduce((a, b) => a * b, 1)), shape), true, `v${k}_${backend}_${Math.random()}`));
  const optimizer = make();
  const before = tf.memory().numTensors;
  let afterFirst = 0;
  for (let step = 0; step < STEPS; step++) {
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, k) => { grads[v.name] = tf.tensor(values(100 * step + k, v.size).map((g) => g * (step + 1)), v.shape); });
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    if (step === 0) afterFirst = tf.memory().numTensors;
  }
  const leaked = tf.memory().numTensors - afterFirst;
  assert.ok(afterFirst >= before);
  const saved = await optimizer.getWeights();
  const state = saved.map((w) => `${w.name.replace(/_(wasm|cpu)_[\d.]+/, '')}:${w.tensor.shape}`);
  const weights = [...vars.map((v) => Float32Array.from(v.dataSync())), ...saved.slice(1).map((w) => Float32Array.from(w.tensor.dataSync()))];
  optimizer.dispose();
  tf.dispose(vars);
  return { weights, state, leaked };
}

const adam = () => tf.train.adam(0.01, 0.9, 0.999, 1e-8);
const fused = () => new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8);

before(() => startWasmWithOurKernels(false));

describe('FusedAdamOptimizer', () => {
  it('matches tf.train.adam on wasm bit for bit: weights, moments and saved state', async () => {
    const ours = await run('wasm', fused);
    const reference = await run('wasm', adam);
    assert.deepEqual(ours.state, reference.state);
    ours.weights.forEach((w, k) => assert.deepEqual(Array.from(w), Array.from(reference.weights[k]), `array ${k} differs`));
    assert.equal(ours.leaked, 0, 'tensors leaked across steps');
  });
  it('matches tf.train.adam on cpu to float32 rounding', async () => {
    const ours = await run('wasm', fused);
    const reference = await run('cpu', adam);
    ours.weights.forEach((w, k) => w.forEach((x, i) => assert.ok(Math.abs(x - reference.weights[k][i]) <= 1e-6 * Math.max(1, Math.abs(x)), `array ${k}[${i}]: ${x} vs ${reference.weights[k][i]}`)));
  });
  it('falls back to tfjs\'s own update where the kernel is not registered (cpu)', async () => {
    const ours = await run('cpu', fused);
    const reference = await run('cpu', adam);
    ours.weights.forEach((w, k) => assert.deepEqual(Array.from(w), Array.from(reference.weights[k])));
  });
});
