// ModelLensMagnitudes: [Σx², Σ|x|, max |x|] of a float32 tensor in one SIMD pass on wasm, against the
// same figures computed in double precision, for sizes with and without a tail of 1–3 elements, a
// size over many blocks, an empty tensor, and NaN.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MAGNITUDES } from '../src/index';
import { createRandom, startWasmWithOurKernels } from './testBackends';

function reference(values: Float32Array): [number, number, number] {
  let [squares, absolutes, largest] = [0, 0, 0];
  for (const v of values) {
    squares += v * v;
    absolutes += Math.abs(v);
    largest = Math.max(largest, Math.abs(v));
  }
  return [squares, absolutes, largest];
}

describe('a tensor\'s magnitudes in one pass (ModelLensMagnitudes)', () => {
  before(async () => {
    await startWasmWithOurKernels();
    await tf.setBackend('wasm');
  });

  for (const size of [1, 3, 4, 7, 15, 16, 17, 1024, 1027, 401_408 + 2]) {
    it(`${size} values: Σx², Σ|x| within 1e-5 relative of double precision, max |x| exactly`, () => {
      const random = createRandom(size);
      const values = Float32Array.from({ length: size }, () => (random() * 2 - 1) * 3);
      const before = tf.memory().numTensors;
      const got = tf.tidy(() => (tf.engine().runKernel(MAGNITUDES, { x: tf.tensor(values, [size]) }) as tf.Tensor).dataSync());
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      const want = reference(values);
      for (const k of [0, 1]) assert.ok(Math.abs(got[k] - want[k]) <= 1e-5 * want[k], `figure ${k}: ${got[k]} against ${want[k]}`);
      assert.equal(got[2], Math.fround(want[2]));
    });
  }

  it('gives zeros for an empty tensor and NaN where a value is NaN', () => {
    const empty = tf.tidy(() => (tf.engine().runKernel(MAGNITUDES, { x: tf.zeros([0]) }) as tf.Tensor).dataSync());
    assert.deepEqual(Array.from(empty), [0, 0, 0]);
    for (const at of [2, 9]) { // in the SIMD part and in the tail
      const values = new Float32Array(10).fill(1);
      values[at] = NaN;
      const got = tf.tidy(() => (tf.engine().runKernel(MAGNITUDES, { x: tf.tensor(values) }) as tf.Tensor).dataSync());
      assert.ok(got.every((v) => Number.isNaN(v)), `NaN at ${at}: ${Array.from(got)}`);
    }
  });
});
