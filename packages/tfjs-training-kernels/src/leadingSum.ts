// Sum (and on wasm Mean) over the leading axes — every bias gradient (Add's gradient sums dy over the broadcast axes,
// e.g. [64,26,26,32] → [32]). The stock Sum kernels first transpose the reduced axes to the end. On
// wasm, with a multiple of 4 columns, a SIMD loop sums blocks of rows (sumRows in
// wasm/elementwiseLoops.ts); otherwise an average pool over the rows (XNNPACK, no weights to pack),
// scaled back to a sum. On cpu a matMul with a row of ones, [1,R]·[R,C], is far faster than the
// stock Sum. (On wasm that matMul would repack its big operand as XNNPACK weights, which costs more.)
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo, WasmHeap } from './rawData';
import { overrideKernel } from './registry';
import { kernelChunks, MIN_VECTORS_PER_CHUNK, runOnThreads, runSplit, type SimdCall, splitRange } from './kernelThreads';
import { heapOffset, simdKernels } from './wasmSimd';

/** Rows summed apart before their sum joins the total (sumRows): keeps float32 rounding near a pairwise sum's. */
const SUMMED_BLOCK_ROWS = 256;

/** Rows pooled in one average (the rest are summed by a small matMul): bounds float32 rounding. */
const MAX_POOLED_ROWS = 4096;

/**
 * out[·] += Σ_r x[r, ·] over `rows` rows `stride` bytes apart, of which the first `bytes` (a multiple of
 * 16) are summed, in blocks of `block` rows (sumRows in wasm/elementwiseLoops.ts). The threads split it
 * by bands of whole 64-byte lines, so no line is read by two of them; every column is summed in the
 * same order on any thread.
 */
export function sumRowsByLines(backend: unknown, xBase: number, outBase: number, rows: number, bytes: number, block: number, stride: number): void {
  runSplit(backend, Math.ceil(bytes / 64), (l0, l1) => ['sumRows', xBase + 64 * l0, outBase + 64 * l0, rows, Math.min(bytes, 64 * l1) - 64 * l0, block, stride],
    Math.ceil(MIN_VECTORS_PER_CHUNK / 4 / rows));
}

/** Σ over the first `leading` axes as a matMul with ones (any backend). */
export function sumLeadingByMatMul(x: tf.Tensor, leading: number): tf.Tensor {
  const rows = x.shape.slice(0, leading).reduce((a, b) => a * b, 1);
  const cols = x.size / Math.max(1, rows);
  return tf.matMul(tf.ones([1, rows]), tf.reshape(x, [rows, cols]));
}

/** Σ over the first `leading` axes as an average pool (wasm: XNNPACK), then a small matMul over what is left. */
export function sumLeadingByPooling(x: tf.Tensor, leading: number): tf.Tensor {
  const rows = x.shape.slice(0, leading).reduce((a, b) => a * b, 1);
  const cols = x.size / Math.max(1, rows);
  // rows = outer · pooled, with the pooled window a [h, w] block: NHWC's own H and W when x is an
  // image batch summed over N, H, W; otherwise a column of up to MAX_POOLED_ROWS rows.
  let outer: number;
  let h: number;
  let w: number;
  const [n, height, width] = x.shape as number[];
  if (x.rank === 4 && leading === 3 && height * width <= MAX_POOLED_ROWS) {
    [outer, h, w] = [n, height, width];
  } else {
    h = Math.min(rows, MAX_POOLED_ROWS);
    while (rows % h !== 0) h--;
    outer = rows / h;
    w = 1;
  }
  const pooled = tf.avgPool(tf.reshape(x, [outer, h, w, cols]) as tf.Tensor4D, [h, w], [h, w], 'valid'); // [outer,1,1,C]
  const means = tf.reshape(pooled, [outer, cols]);
  const sums = outer === 1 ? means : tf.matMul(tf.ones([1, outer]), means);
  return tf.mul(sums, h * w);
}

/**
 * Σ over the first `leading` axes as one SIMD pass on the wasm heap; null where it does not apply.
 * Each block of SUMMED_BLOCK_ROWS rows is summed apart, then the blocks' sums are added in order (as
 * sumRows adds them when given all the rows): the threads split the blocks, every thread reading whole
 * rows. (Split by bands of columns, each thread would read every cache line of x for its few columns:
 * a bias gradient of 32 channels read the tensor eight times over.)
 */
export function sumLeadingBySimd(backend: unknown, x: TensorInfo, leading: number, outShape: number[]): TensorInfo | null {
  const cols = x.shape.slice(leading).reduce((a, b) => a * b, 1);
  const simd = cols % 4 === 0 && x.dtype === 'float32' ? simdKernels(backend) : null;
  if (!simd) return null;
  const wasm = backend as WasmHeap;
  const out = wasm.makeOutput(outShape, 'float32');
  wasm.typedArrayFromHeap(out).fill(0);
  const rows = x.shape.slice(0, leading).reduce((a, b) => a * b, 1);
  const [xBase, outBase] = [heapOffset(backend, x), heapOffset(backend, out)];
  const row = cols * 4;
  const blocks = Math.ceil(rows / SUMMED_BLOCK_ROWS);
  if (blocks < 2 || kernelChunks(backend) === 1) {
    // One block, or one thread: one pass (the same bits as the blocks' sums added in order).
    sumRowsByLines(backend, xBase, outBase, rows, row, SUMMED_BLOCK_ROWS, row);
    return out;
  }
  const sums = wasm.makeOutput([blocks, cols], 'float32');
  try {
    const sumsBase = heapOffset(backend, sums);
    const blockSum = (b: number): SimdCall => ['sumRows', xBase + b * SUMMED_BLOCK_ROWS * row, sumsBase + b * row,
      Math.min(SUMMED_BLOCK_ROWS, rows - b * SUMMED_BLOCK_ROWS), row, SUMMED_BLOCK_ROWS, row];
    wasm.typedArrayFromHeap(sums).fill(0);
    const perChunk = Math.max(1, Math.ceil(MIN_VECTORS_PER_CHUNK / (SUMMED_BLOCK_ROWS * cols / 4)));
    runOnThreads(backend, splitRange(blocks, Math.min(kernelChunks(backend), Math.ceil(blocks / perChunk)))
      .map(([b0, b1]) => Array.from({ length: b1 - b0 }, (_, k) => blockSum(b0 + k))));
    // Σ of the block sums in order, in one pass (one block of `blocks` rows), added to the zeroed out.
    sumRowsByLines(backend, sumsBase, outBase, blocks, row, blocks, row);
    return out;
  } finally {
    wasm.disposeData(sums.dataId);
  }
}

/** The reduced axes of a Sum or Mean when they are x's first ones (not all of them), else null. */
function leadingAxes(x: TensorInfo, axis: number | number[] | null): number[] | null {
  const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape).sort((a, b) => a - b);
  return axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i) ? axes : null;
}

export function registerLeadingSumKernel(backend: string): void {
  const sumLeading = backend === 'wasm' ? sumLeadingByPooling : sumLeadingByMatMul;
  overrideKernel('Sum', backend, (stock) => (args) => {
    const { x } = args.inputs as unknown as { x: tf.Tensor };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[] | null; keepDims: boolean };
    const axes = leadingAxes(x, axis);
    if (stock && (!axes || x.dtype !== 'float32' || x.size === 0)) return stock.kernelFunc(args);
    const leading = axes ?? [];
    const inner = x.shape.slice(leading.length);
    const outShape = keepDims ? [...leading.map(() => 1), ...inner] : inner;
    const simd = backend === 'wasm' ? sumLeadingBySimd(args.backend, x, leading.length, outShape) : null;
    if (simd) return simd;
    return tf.tidy(() => tf.reshape(sumLeading(x, leading.length), outShape));
  });
  if (backend !== 'wasm') return;
  // Mean over the leading axes (tf.moments in every batch norm: [N,H,W,C] → [C], twice a step each): the
  // stock kernel transposes x first. Ours: the SIMD sum, then each column divided by the count, as the
  // stock kernel divides its sums.
  overrideKernel('Mean', backend, (stock) => (args) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[] | null; keepDims: boolean };
    const axes = leadingAxes(x, axis);
    const size = tf.util.sizeFromShape(x.shape);
    const inner = axes ? x.shape.slice(axes.length) : [];
    const out = axes && x.dtype === 'float32' && size > 0
      ? sumLeadingBySimd(args.backend, x, axes.length, keepDims ? [...axes.map(() => 1), ...inner] : inner) : null;
    if (!out) {
      if (!stock) throw new Error('Mean is not supported on the wasm backend (no stock kernel)');
      return stock.kernelFunc(args);
    }
    const count = size / tf.util.sizeFromShape(inner);
    const values = (args.backend as unknown as WasmHeap).typedArrayFromHeap(out) as Float32Array;
    for (let i = 0; i < values.length; i++) values[i] /= count;
    return out;
  });
}
