// Matrix products (BatchMatMul) as our SIMD gemm loop, where the engine fuses its multiply-adds: one
// rounding per multiply-add, faster than XNNPACK's wasm GEMM, which has no fused multiply-add (npm run
// bench -- backends), and a transposed a is read through its strides instead of copied. On more than
// one thread the result's columns (or rows) are split over our kernel threads; every element is
// summed in the same order on any thread, so the bits do not depend on the thread count.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo, WasmHeap } from './rawData';
import { type Product, productColumnCalls, productRowCalls } from './gemmCalls';
import { kernelChunks, runOnThreads, type SimdCall, splitRange } from './kernelThreads';
import { heapOffset, simdLoopsFused } from './wasmSimd';

/** Multiply-adds below which a product stays with XNNPACK (a call of ours costs a few JS round trips). */
export const GEMM_MATMUL_MIN_WORK = 2 ** 15;

/** Multiply-adds below which a piece of a product is not cut further: handing it to a thread costs more. */
const MIN_WORK_PER_CHUNK = 2 ** 19;

/** Columns per strip when a product is split by columns: two vectors of 4, the wide loop's block. */
const STRIP = 8;

const sizeOf = (t: TensorInfo) => t.shape.reduce((x, y) => x * y, 1);

/** t with its last two axes swapped. */
export function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}

interface MatMulInputs { a: TensorInfo; b: TensorInfo; transposeA: boolean; transposeB: boolean }

/** [batch, m, k, n] and the result's shape, when the batches match or one side has one matrix; else null. */
function productShape({ a, b, transposeA, transposeB }: MatMulInputs): { dims: [number, number, number, number]; out: number[] } | null {
  if (a.shape.length < 2 || b.shape.length < 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const [batchDimsA, batchDimsB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const [ba, bb] = [batchDimsA, batchDimsB].map((d) => d.reduce((x, y) => x * y, 1));
  const sameBatch = batchDimsA.length === batchDimsB.length && batchDimsA.every((d, i) => d === batchDimsB[i]);
  if (!sameBatch && ba !== 1 && bb !== 1) return null;
  const [a1, a2] = a.shape.slice(-2);
  const [b1, b2] = b.shape.slice(-2);
  const [m, k] = transposeA ? [a2, a1] : [a1, a2];
  const [kb, n] = transposeB ? [b2, b1] : [b1, b2];
  if (k !== kb) return null;
  const batchDims = tf.backend_util.assertAndGetBroadcastShape(batchDimsA, batchDimsB);
  return { dims: [Math.max(ba, bb), m, k, n], out: [...batchDims, m, n] };
}

/** The product's shape when our gemm runs it (fused multiply-adds here, columns in fours, big enough to gain), else null. */
function planFor(backend: unknown, inputs: MatMulInputs): ReturnType<typeof productShape> {
  const shape = productShape(inputs);
  if (!shape || !simdLoopsFused(backend)) return null;
  const [, m, k, n] = shape.dims;
  return n % 4 === 0 && m * k * n >= GEMM_MATMUL_MIN_WORK ? shape : null;
}

/** True when our gemm runs this product (gemmMatMul gives a result rather than null). */
export function gemmMatMulApplies(backend: unknown, inputs: MatMulInputs): boolean {
  return planFor(backend, inputs) !== null;
}

/** The calls of one product cut into `parts` pieces: strips of columns when there are enough, else blocks of rows. */
function productPieces(p: Product, parts: number): SimdCall[][] {
  const strips = Math.ceil(p.n / STRIP); // the last one 4 wide when n % 8 = 4
  if (parts <= 1) return [productRowCalls(p, 0, p.m)];
  if (strips >= parts) return splitRange(strips, parts).map(([s0, s1]) => productColumnCalls(p, s0 * STRIP, Math.min(p.n, s1 * STRIP)));
  const blocks = Math.ceil(p.m / 4);
  return splitRange(blocks, parts).map(([r0, r1]) => productRowCalls(p, r0 * 4, Math.min(p.m, r1 * 4)));
}

/**
 * a·b (a and b transposed as asked) on `backend`'s heap as our gemm loop, or null where it does not
 * apply (gemmMatMulApplies). A transposed b is transposed first (tfjs's Transpose kernel): the loop
 * reads b's rows as vectors.
 */
export function gemmMatMul(backend: WasmHeap, inputs: MatMulInputs): TensorInfo | null {
  const plan = planFor(backend, inputs);
  if (!plan) return null;
  const { dims: [batch, m, k, n], out: outShape } = plan;
  const { a, transposeA } = inputs;
  // At run time a kernel's inputs are the tensors themselves.
  const bt = inputs.transposeB ? swapLastTwo(inputs.b as tf.Tensor) : null;
  try {
    const b = bt ?? inputs.b;
    const out = backend.makeOutput(outShape, 'float32');
    const [aAt, bAt, cAt] = [heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out)];
    const aStep = sizeOf(a) === m * k ? 0 : m * k * 4;
    const bStep = sizeOf(b) === k * n ? 0 : k * n * 4;
    const products = Array.from({ length: batch }, (_, i): Product => ({
      a: aAt + i * aStep, b: bAt + i * bStep, c: cAt + i * m * n * 4, m, k, n,
      aRow: transposeA ? 4 : k * 4, aCol: transposeA ? m * 4 : 4,
    }));
    const chunks = Math.max(1, Math.min(kernelChunks(backend), Math.floor((batch * m * k * n) / MIN_WORK_PER_CHUNK)));
    // Whole products per chunk when the batch has enough of them, else each product cut in pieces.
    const jobs = batch >= chunks
      ? splitRange(batch, chunks).map(([p0, p1]) => productRowCalls({ ...products[p0], batch: { count: p1 - p0, aStep, bStep, cStep: m * n * 4 } }, 0, m))
      : products.flatMap((p) => productPieces(p, Math.ceil(chunks / batch)));
    runOnThreads(backend, jobs);
    return out;
  } finally {
    bt?.dispose();
  }
}
