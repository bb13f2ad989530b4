// The checks of the gemm loops (src/wasm/gemmLoops.ts) and of the batch of products on the wasm heap
// (src/gemmCalls.ts), run with plain and with fused multiply-adds (gemm.test.ts, gemmFused.test.ts):
// against a float64 product of the same float32 operands, for row counts that leave rows over the
// register block, 1 and 2 column vectors, a transposed a, and split over two threads (the bits of one).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { productRowCalls } from '../src/gemmCalls';
import { runOnThreads, setKernelThreads, type SimdCall, splitRange } from '../src/kernelThreads';
import type { TensorInfo, WasmHeap } from '../src/rawData';
import { heapOffset, simdKernels } from '../src/wasmSimd';
import { createRandom, startWasmWithOurKernels } from './testBackends';

const TOLERANCE = 1e-5;

/** a·b (a [m, k] row-major, or aᵀ when a is stored [k, m]) in float64. */
function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transposeA: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) {
    const x = transposeA ? a[j * m + i] : a[i * k + j];
    for (let q = 0; q < n; q++) c[i * n + q] += x * b[j * n + q];
  }
  return c;
}

function assertClose(ours: Float32Array, expected: Float64Array, what: string): void {
  assert.equal(ours.length, expected.length, what);
  const scale = Math.max(1e-12, ...Array.from(expected, Math.abs));
  for (let i = 0; i < ours.length; i++) {
    assert.ok(Math.abs(ours[i] - expected[i]) / scale <= TOLERANCE, `${what}: element ${i} is ${ours[i]}, expected ${expected[i]}`);
  }
}

/** out[i] = a[i]·b[i] (or a[i]ᵀ·b[i]) as gemm calls, each product's rows cut in two calls. */
function products(backend: WasmHeap, a: TensorInfo[], b: TensorInfo[], transposeA: boolean): TensorInfo[] {
  const calls: SimdCall[] = [];
  const out = a.map((ai, i) => {
    const [rows, cols] = ai.shape;
    const [m, k] = transposeA ? [cols, rows] : [rows, cols];
    const n = b[i].shape[1];
    const c = backend.makeOutput([m, n], 'float32');
    const product = { a: heapOffset(backend, ai), b: heapOffset(backend, b[i]), c: heapOffset(backend, c), m, k, n,
      aRow: transposeA ? 4 : k * 4, aCol: transposeA ? m * 4 : 4 };
    for (const [r0, r1] of splitRange(m, 2)) calls.push(...productRowCalls(product, r0, r1));
    return c;
  });
  runOnThreads(backend, [calls]);
  return out;
}

function values(count: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: count }, () => random() * 2 - 1);
}

/** The gemm checks, titled with `variant` (which multiply-adds the process's loops use). */
export function describeGemm(variant: string): void {
  describe(`a batch of matrix products on the wasm heap (${variant})`, () => {
    before(async () => {
      await startWasmWithOurKernels(false);
      await tf.setBackend('wasm');
    });

    for (const transposeA of [false, true]) {
      it(`computes every ${transposeA ? 'aᵀ·b' : 'a·b'} of a batch, rows over the block and 4-column widths included`, () => {
        const backend = tf.backend() as unknown as WasmHeap;
        const shapes = [[1, 3, 4], [5, 7, 8], [13, 16, 12], [64, 33, 32], [6, 1, 4]];
        const a = shapes.map(([m, k], i) => tf.tensor(values(m * k, 10 + i), transposeA ? [k, m] : [m, k]));
        const b = shapes.map(([, k, n], i) => tf.tensor(values(k * n, 20 + i), [k, n]));
        const out = products(backend, a as unknown as TensorInfo[], b as unknown as TensorInfo[], transposeA);
        shapes.forEach(([m, k, n], i) => {
          const got = tf.engine().makeTensorFromTensorInfo(out[i]);
          assert.deepEqual(got.shape, [m, n]);
          assertClose(got.dataSync() as Float32Array, reference(a[i].dataSync() as Float32Array, b[i].dataSync() as Float32Array, m, k, n, transposeA), `product ${i} (${m}×${k}·${k}×${n})`);
          got.dispose();
        });
        tf.dispose([...a, ...b]);
      });
    }
  });

  describe(`the gemm loop over a shared heap on two threads (${variant})`, () => {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    const backend = { wasm: { asm: { memory } } };
    const heap = new Float32Array(memory.buffer);
    after(() => setKernelThreads(1));

    it('gives, split by rows over two threads, the bits of one call', () => {
      const [m, k, n] = [102, 40, 16];
      const [a, b, one, split] = [0, m * k, m * k + k * n, m * k + k * n + m * n];
      heap.set(values(m * k, 1), a);
      heap.set(values(k * n, 2), b);
      const call = (name: 'gemm4x2' | 'gemm1x2', [r0, r1]: [number, number], c: number): SimdCall =>
        [name, 4 * (a + r0 * k), 4 * b, 4 * (c + r0 * n), r1 - r0, k, n * 4, k * 4, 4, n * 4, n * 4, 1, 0];
      for (const [name, ...args] of [call('gemm4x2', [0, 100], one), call('gemm1x2', [100, 102], one)]) simdKernels(backend)![name](...args);
      assertClose(heap.subarray(one, one + m * n), reference(heap.subarray(a, a + m * k), heap.subarray(b, b + k * n), m, k, n, false), 'one call');
      setKernelThreads(2);
      runOnThreads(backend, [[call('gemm4x2', [0, 48], split)], [call('gemm4x2', [48, 100], split), call('gemm1x2', [100, 102], split)]]);
      assert.deepEqual(heap.subarray(split, split + m * n), heap.subarray(one, one + m * n));
    });
  });
}
