// Matrix products (BatchMatMul) as our gemm loop, where relaxed SIMD fuses the multiply-adds (as the
// trainer turns it on): against the cpu backend for a plain, a transposed a, a transposed b, both,
// batches with one side broadcast, row counts that leave rows over the register block and column
// counts of one vector; and which products stay with XNNPACK.
import * as v8 from 'node:v8';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { GEMM_MATMUL_MIN_WORK, gemmMatMulApplies } from '../src/gemmMatMul';
import { useOurKernels, useStockKernels } from '../src/index';
import { createRandom, startWasmWithOurKernels } from './testBackends';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const TOLERANCE = 1e-5;

interface Case { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }
const CASES: Case[] = [
  { a: [64, 300], b: [300, 128], transposeA: false, transposeB: false },
  { a: [300, 64], b: [300, 128], transposeA: true, transposeB: false },
  { a: [64, 300], b: [128, 300], transposeA: false, transposeB: true },
  { a: [300, 37], b: [20, 300], transposeA: true, transposeB: true },
  { a: [3, 45, 96], b: [96, 12], transposeA: false, transposeB: false },
  { a: [45, 96], b: [2, 3, 96, 12], transposeA: false, transposeB: false },
  { a: [2, 3, 96, 45], b: [2, 3, 12, 96], transposeA: true, transposeB: true },
];

function values(shape: number[], seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => random() * 2 - 1);
}

async function product(backend: 'wasm' | 'cpu', c: Case): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const out = tf.matMul(tf.tensor(values(c.a, 1), c.a), tf.tensor(values(c.b, 2), c.b), c.transposeA, c.transposeB);
    return { shape: out.shape, values: out.dataSync() as Float32Array };
  });
}

describe('matrix products as our gemm loop (fused multiply-adds)', () => {
  before(() => startWasmWithOurKernels());

  for (const c of CASES) {
    const name = `[${c.a}]${c.transposeA ? 'ᵀ' : ''} · [${c.b}]${c.transposeB ? 'ᵀ' : ''}`;
    it(`${name}: runs as ours and gives the cpu backend's product within ${TOLERANCE}`, async () => {
      await tf.setBackend('wasm');
      const a = tf.zeros(c.a);
      const b = tf.zeros(c.b);
      assert.ok(gemmMatMulApplies(tf.backend(), { a, b, transposeA: c.transposeA, transposeB: c.transposeB }), 'the product must take our loop');
      tf.dispose([a, b]);
      const cpu = await product('cpu', c);
      const before = tf.memory().numTensors;
      const ours = await product('wasm', c);
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      assert.deepEqual(ours.shape, cpu.shape);
      const scale = cpu.values.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);
      let worst = 0;
      for (let i = 0; i < cpu.values.length; i++) worst = Math.max(worst, Math.abs(ours.values[i] - cpu.values[i]) / scale);
      assert.ok(worst <= TOLERANCE, `relative error ${worst}`);
      // Not XNNPACK's result passed through: the stock kernel rounds each multiply-add twice.
      useStockKernels('wasm');
      try {
        const stock = await product('wasm', c);
        assert.notDeepEqual(stock.values, ours.values);
      } finally {
        useOurKernels('wasm');
      }
    });
  }

  it('leaves to XNNPACK products with columns not in fours, small ones, int32 and mismatched batches', async () => {
    await tf.setBackend('wasm');
    const applies = (a: number[], b: number[], dtype: 'float32' | 'int32' = 'float32') => tf.tidy(() =>
      gemmMatMulApplies(tf.backend(), { a: tf.zeros(a, dtype), b: tf.zeros(b, dtype), transposeA: false, transposeB: false }));
    assert.equal(applies([128, 128], [128, 10]), false);
    assert.equal(applies([8, 8], [8, 8]), false);
    assert.ok(8 * 8 * 8 < GEMM_MATMUL_MIN_WORK);
    assert.equal(applies([128, 128], [128, 128], 'int32'), false);
    assert.equal(applies([2, 64, 64], [3, 64, 64]), false);
    assert.equal(applies([128, 128], [128, 128]), true);
  });
});
