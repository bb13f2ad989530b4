// Add, Sub, Multiply and RealDiv of float32 tensors on wasm as our SIMD loops split over the kernel
// threads, where the broadcast is one of the three a network's layers make: the same shape (a
// residual add, a gradient times an activation), a vector along the last axis (a bias, a batch
// norm's per-channel scale and mean, channels in fours), or a scalar. A batch norm's gradient and
// statistics are dozens of these per layer a step; tfjs-wasm's run on the calling thread whatever
// the threads. Every element is one IEEE operation, as in the stock kernels, so the bits are theirs
// on any thread count. Other broadcasts and dtypes go to the stock kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo, WasmHeap } from './rawData';
import { overrideKernel, runStock } from './registry';
import { MIN_VECTORS_PER_CHUNK, runSplit, runVectors } from './kernelThreads';
import { heapOffset, simdKernels } from './wasmSimd';
import type { BinaryOp } from './wasm/elementwiseLoops';

const KERNELS: [string, BinaryOp][] = [['Add', 'add'], ['Sub', 'sub'], ['Multiply', 'mul'], ['RealDiv', 'div']];

const APPLY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => Math.fround(a + b),
  sub: (a, b) => Math.fround(a - b),
  mul: (a, b) => Math.fround(a * b),
  div: (a, b) => Math.fround(a / b),
};

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** True when v holds one value per index of the last axis of `shape` (leading axes of 1), in fours. */
function lastAxisVector(v: TensorInfo, shape: number[]): boolean {
  const channels = shape[shape.length - 1];
  return shape.length >= 1 && channels % 4 === 0 && size(v.shape) === channels && v.shape[v.shape.length - 1] === channels;
}

/** a op b as our loops, or null where the broadcast, the dtypes or the backend are not ours. */
export function binaryOp(backend: unknown, op: BinaryOp, a: TensorInfo, b: TensorInfo): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const simd = simdKernels(backend);
  if (!simd) return null;
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = size(outShape);
  const [sa, sb] = [size(a.shape), size(b.shape)];
  const wasm = backend as WasmHeap;
  type Plan = { kind: 'same' } | { kind: 'rows'; x: TensorInfo; v: TensorInfo; vectorFirst: boolean };
  let plan: Plan | null = null;
  if (sa === n && sb === n) plan = { kind: 'same' };
  else if (sa === n && (sb === 1 || lastAxisVector(b, outShape))) plan = { kind: 'rows', x: a, v: b, vectorFirst: false };
  else if (sb === n && (sa === 1 || lastAxisVector(a, outShape))) plan = { kind: 'rows', x: b, v: a, vectorFirst: true };
  if (!plan) return null;
  const out = wasm.makeOutput(outShape, 'float32');
  if (n === 0) return out;
  const outBase = heapOffset(backend, out);
  const apply = APPLY[op];
  if (plan.kind === 'same') {
    const whole = runVectors(backend, `${op}Same`, [heapOffset(backend, a), heapOffset(backend, b), outBase], n);
    const [av, bv, o] = [wasm.typedArrayFromHeap(a), wasm.typedArrayFromHeap(b), wasm.typedArrayFromHeap(out)];
    for (let i = whole; i < n; i++) o[i] = apply(av[i], bv[i]);
    return out;
  }
  const { x, v, vectorFirst } = plan;
  const name = vectorFirst && (op === 'sub' || op === 'div') ? `${op}RowsFrom` as const : `${op}Rows` as const;
  const xBase = heapOffset(backend, x);
  const scalar = size(v.shape) === 1;
  const whole = n - (n % 4);
  // A scalar goes in as a vector of four copies, over rows of four; a vector as it is, over rows of its length.
  const spread = scalar ? wasm.makeOutput([4], 'float32') : null;
  try {
    const [xv, o] = [wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(out)];
    const vv = wasm.typedArrayFromHeap(v);
    if (spread) wasm.typedArrayFromHeap(spread).fill(vv[0]);
    const vBase = heapOffset(backend, spread ?? v);
    const width = scalar ? 4 : v.shape[v.shape.length - 1];
    const rows = (scalar ? whole : n) / width;
    if (rows > 0) {
      runSplit(backend, rows, (r0, r1) => [name, xBase + r0 * width * 4, vBase, outBase + r0 * width * 4, r1 - r0, width * 4],
        Math.ceil(MIN_VECTORS_PER_CHUNK / (width / 4)));
    }
    if (scalar) for (let i = whole; i < n; i++) o[i] = vectorFirst ? apply(vv[0], xv[i]) : apply(xv[i], vv[0]);
    return out;
  } finally {
    if (spread) wasm.disposeData(spread.dataId);
  }
}

export function registerBinaryOpKernels(backend: string): void {
  if (backend !== 'wasm') return;
  for (const [kernelName, op] of KERNELS) {
    overrideKernel(kernelName, backend, (stock) => (args) => {
      const { a, b } = args.inputs as unknown as { a: TensorInfo; b: TensorInfo };
      return binaryOp(args.backend, op, a, b) ?? runStock(stock, args, kernelName, backend, 'with these inputs');
    });
  }
}
