// FusedBatchNorm's gradient without tfjs's Tile: the gradients of x, mean, variance, scale and offset are
// the bits tfjs's own gradient gives (computed first, before ours replaces it), for a batch norm over
// channels of rank 4, 3 and 2 inputs, and with statistics of x's own shape; no Tile kernel runs; no tensor leaks.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { replaceBatchNormGradient } from '../src/batchNormGradient';
import { createRandom } from './testBackends';

interface Case { name: string; x: number[]; stats: number[] }
const CASES: Case[] = [
  { name: 'NHWC, statistics per channel', x: [3, 5, 4, 6], stats: [6] },
  { name: 'a sequence [N, T, C], per channel', x: [4, 7, 5], stats: [5] },
  { name: 'a dense layer\'s [N, C], per channel', x: [9, 12], stats: [12] },
  { name: 'statistics of x\'s own shape', x: [2, 3, 3, 2], stats: [2, 3, 3, 2] },
];

const random = (shape: number[], seed: number, low = -2, high = 2) => {
  const r = createRandom(seed);
  return tf.tensor(Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => low + (high - low) * r()), shape);
};

function gradients(c: Case, seed: number): Float32Array[] {
  const x = random(c.x, seed);
  const mean = random(c.stats, seed + 1);
  const variance = random(c.stats, seed + 2, 0.1, 3);
  const scale = random(c.stats, seed + 3);
  const offset = random(c.stats, seed + 4);
  const weights = random(c.x, seed + 5);
  const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
    tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, 1e-3), weights));
  const grads = tf.grads(f)([x, mean, variance, scale, offset]);
  const values = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([x, mean, variance, scale, offset, weights, ...grads]);
  return values;
}

describe('FusedBatchNorm\'s gradient without Tile', () => {
  const stock = new Map<string, Float32Array[]>();
  before(async () => {
    await tf.setBackend('cpu');
    CASES.forEach((c, i) => stock.set(c.name, gradients(c, 100 * i)));
    replaceBatchNormGradient();
  });

  CASES.forEach((c, i) => {
    it(`${c.name} ${JSON.stringify(c.x)}: the bits of tfjs's own gradient, with no Tile`, async () => {
      const before = tf.memory().numTensors;
      const ours = gradients(c, 100 * i);
      assert.equal(tf.memory().numTensors, before);
      const theirs = stock.get(c.name)!;
      assert.equal(ours.length, 5);
      ours.forEach((v, k) => assert.deepEqual(Array.from(v), Array.from(theirs[k]), `input ${k}`));
      const p = await tf.profile(() => {
        const x = random(c.x, 1);
        const ps = [c.stats, c.stats, c.stats, c.stats].map((s, k) => random(s, 2 + k, 0.5, 2));
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.batchNorm(a, ps[0], ps[1], ps[2], ps[3], 1e-3)))(x);
        tf.dispose([x, ...ps, g]);
      });
      assert.ok(p.kernelNames.includes('FusedBatchNorm'), p.kernelNames.join(', '));
      assert.ok(!p.kernelNames.includes('Tile'), p.kernelNames.join(', '));
    });
  });
});
