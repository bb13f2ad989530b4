// Matrix products as calls of our SIMD gemm loops (wasm/gemmLoops.ts), to put in a job of kernelThreads
// beside the calls that make their operands and read their result.
import type { SimdCall } from './kernelThreads';

/** Rows per register block of the main loop; the rows left over run one at a time. */
const BLOCK_ROWS = 4;

/**
 * One product c = a·b: byte offsets, sizes (n % 4 = 0) and a's strides in bytes; b's and c's rows are
 * n floats apart unless `rowFloats` says how many (a strip of columns of a wider b and c). With `taps`,
 * a's rows are `taps` runs of k values, `aTap` bytes apart, and b has taps·k rows (a convolution's
 * filter rows read straight from its input: see wasm/gemmLoops.ts).
 */
export interface Product {
  a: number; b: number; c: number; m: number; k: number; n: number; aRow: number; aCol: number; rowFloats?: number; taps?: number; aTap?: number;
  /** `count` products of this shape in one call, each operand's next one `aStep`, `bStep`, `cStep` bytes on (default: one). */
  batch?: { count: number; aStep: number; bStep: number; cStep: number };
}

/** The calls computing rows r0..r1−1 of one product (of each product of its batch). */
export function productRowCalls(p: Product, r0: number, r1: number): SimdCall[] {
  const vecs = p.n % 8 === 0 ? 2 : 1;
  const row = (p.rowFloats ?? p.n) * 4;
  const rows = r1 - r0;
  const main = rows - (rows % BLOCK_ROWS);
  const call = (rowsPerBlock: number, start: number, count: number): SimdCall =>
    [`gemm${rowsPerBlock}x${vecs}`, p.a + start * p.aRow, p.b, p.c + start * row, count, p.k, p.n * 4, p.aRow, p.aCol, row, row, p.taps ?? 1, p.aTap ?? 0,
      p.batch?.count ?? 1, p.batch?.aStep ?? 0, p.batch?.bStep ?? 0, p.batch?.cStep ?? 0];
  const calls: SimdCall[] = [];
  if (main > 0) calls.push(call(BLOCK_ROWS, r0, main));
  if (rows > main) calls.push(call(1, r0 + main, rows - main));
  return calls;
}

/** The calls computing columns c0..c1−1 (c0 and c1 multiples of 4) of one product, every row. */
export function productColumnCalls(p: Product, c0: number, c1: number): SimdCall[] {
  return productRowCalls({ ...p, b: p.b + c0 * 4, c: p.c + c0 * 4, n: c1 - c0, rowFloats: p.rowFloats ?? p.n }, 0, p.m);
}
