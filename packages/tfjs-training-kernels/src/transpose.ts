// Swapping the last two axes of a matrix whose row count is a power of two (a batch of 64 or 128: xᵀ
// in every Dense layer's weight gradient, the a·bᵀ route of transposedMatMul.ts). tfjs-wasm's
// Transpose writes the output column by column, and when that column stride is a power of two the
// writes fall into the same cache sets: [512,128] takes longer than [784,512], six times the
// elements. Writing four output rows at a time instead, each contiguous, avoids that. Other shapes
// (where the stock kernel beats a JS loop) and other permutations go to the stock kernel.
import * as tf from '@tensorflow/tfjs-core';
import { computeRaw, hasRawData, type TensorInfo } from './rawData';
import { overrideKernel } from './registry';

/** Rows from which the stock kernel's column writes alias in the cache (a stride of 256 bytes and up). */
const MIN_ALIASING_ROWS = 64;
/** Past this many elements a matrix outgrows the caches and the stock kernel wins whatever the stride. */
const MAX_ELEMENTS = 1 << 20;

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** Whether `transposeRows` is the faster route for matrices of `batch` × [rows, cols]. */
export function takesOurTranspose(batch: number, rows: number, cols: number): boolean {
  return rows >= MIN_ALIASING_ROWS && isPowerOfTwo(rows) && cols >= 4 && batch * rows * cols <= MAX_ELEMENTS;
}

/** out[b, j, i] = src[b, i, j] for `batch` matrices of [rows, cols], four output rows at a time. */
export function transposeRows(src: Float32Array, out: Float32Array, batch: number, rows: number, cols: number): void {
  const size = rows * cols;
  const cols4 = cols - (cols % 4);
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let j = 0; j < cols4; j += 4) {
      let o0 = base + j * rows;
      let o1 = o0 + rows;
      let o2 = o1 + rows;
      let o3 = o2 + rows;
      for (let i = 0, s = base + j; i < rows; i++, s += cols) {
        out[o0++] = src[s];
        out[o1++] = src[s + 1];
        out[o2++] = src[s + 2];
        out[o3++] = src[s + 3];
      }
    }
    for (let j = cols4; j < cols; j++) {
      let o = base + j * rows;
      for (let i = 0, s = base + j; i < rows; i++, s += cols) out[o++] = src[s];
    }
  }
}

export function registerTransposeKernel(backend: string): void {
  if (!tf.getKernel('Transpose', backend)) return;
  overrideKernel('Transpose', backend, (stock) => (args) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    const rank = x.shape.length;
    // Only "swap the last two axes, keep the leading ones in place".
    const swapsLastTwo = rank >= 2 && perm.length === rank && perm[rank - 2] === rank - 1 && perm[rank - 1] === rank - 2 &&
      perm.slice(0, rank - 2).every((p, i) => p === i);
    const [rows, cols] = x.shape.slice(-2);
    const batch = x.shape.slice(0, -2).reduce((a, b) => a * b, 1);
    if (!swapsLastTwo || x.dtype !== 'float32' || !hasRawData(args.backend) || !takesOurTranspose(batch, rows, cols)) return stock!.kernelFunc(args);
    const outShape = [...x.shape.slice(0, -2), cols, rows];
    return computeRaw(args.backend, [x], outShape, ([src], out) => transposeRows(src as Float32Array, out, batch, rows, cols));
  });
}
