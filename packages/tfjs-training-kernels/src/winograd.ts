// 3×3, stride-1 convolutions on wasm as Winograd's minimal filtering F(m×m, 3×3) (Lavin & Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2015): an m×m block of outputs costs (m+2)²
// multiplies per input and output channel instead of 9m² — F(4×4, 3×3) 36 instead of 144, F(2×2, 3×3)
// 16 instead of 36. The tile transforms are SIMD loops on the heap (wasm/winogradTransforms.ts).
//   forward   y  = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A            per tile, summed over input channels
//   filter    dg = Gᵀ [ Σ_tiles (Bᵀ d B) ⊙ (A dy Aᵀ) ] G      per input and output channel
//   input     dx = the forward pass of dy with the filter turned 180° and its channels swapped
// Forward, the (m+2)² products per tile are (m+2)² GEMMs run by the backend's own XNNPACK BatchMatMul
// (one batched call runs ~10× slower than separate plain ones); the filter gradient's sums run as our
// register-blocked SIMD loop (XNNPACK would re-pack its big operand on every call). On a small CNN's
// second layer F(4×4) beats XNNPACK's direct convolution forward, our direct filter-gradient loop and
// the GEMM + col2im input gradient (npm run bench). The transforms add, subtract and scale by small
// constants: errors against the cpu kernels stay ≤ 1e-5 relative (test/winograd.test.ts,
// test/kernelsAgainstCpu.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo, WasmHeap } from './rawData';
import { stockKernel } from './registry';
import { kernelChunks, runOnThreads, runSplit, type SimdCall, splitRange, spread } from './kernelThreads';
import { FILTER_TAPS, heapOffset, simdKernels, type WinogradTile } from './wasmSimd';


/**
 * Smallest convolution (output pixels × input channels × output channels) that goes to Winograd: below
 * it the GEMM calls' and the transforms' fixed costs lose to XNNPACK's direct convolution and to our
 * direct gradients (around 8×13×13×32 → 64 the two break even).
 */
export const WINOGRAD_MIN_WORK = 2 ** 21;

/** The tile size with the fewest multiplies for an outH × outW output: Σ tiles · (m+2)²; ties go to the more exact F(2×2). */
export function winogradTileFor(outH: number, outW: number): WinogradTile {
  const cost = (m: number) => Math.ceil(outH / m) * Math.ceil(outW / m) * (m + 2) ** 2;
  return cost(4) < cost(2) ? 4 : 2;
}

/** True when a convolution can run as Winograd here and is big enough to gain: 3×3, stride 1, no dilation, channels in fours. */
export function winogradApplies(filterShape: number[], strides: [number, number], dilations: [number, number], outputPixels: number): boolean {
  const [kh, kw, ci, co] = filterShape;
  return kh === 3 && kw === 3 && strides[0] === 1 && strides[1] === 1 && dilations[0] === 1 && dilations[1] === 1
    && ci % 4 === 0 && co % 4 === 0 && outputPixels * ci * co >= WINOGRAD_MIN_WORK;
}

/** Temporary heap tensors of one kernel call, freed together. */
class Scratch {
  private readonly made: TensorInfo[] = [];
  constructor(readonly backend: WasmHeap) {}
  alloc(shape: number[], zero = false): TensorInfo {
    const t = this.backend.makeOutput(shape, 'float32');
    this.made.push(t);
    if (zero) this.backend.typedArrayFromHeap(t).fill(0);
    return t;
  }
  keep(t: TensorInfo): TensorInfo {
    this.made.push(t);
    return t;
  }
  free(): void {
    for (const t of this.made.splice(0)) this.backend.disposeData(t.dataId);
  }
}

function matMul(backend: WasmHeap, a: TensorInfo, b: TensorInfo): TensorInfo {
  const kernel = stockKernel('BatchMatMul', 'wasm');
  if (!kernel) throw new Error('the wasm backend has no BatchMatMul kernel');
  return kernel.kernelFunc({ inputs: { a, b }, backend: backend as unknown as tf.KernelBackend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
}

const offsets = (backend: unknown, ts: TensorInfo[]) => ts.map((t) => heapOffset(backend, t));

type Simd = NonNullable<ReturnType<typeof simdKernels>>;
interface Tiling { m: WinogradTile; th: number; tw: number; tiles: number; count: number }

/** Tiles of m×m outputs covering n images of outH × outW, and the (m+2)² transformed matrices each needs. */
function tiling(n: number, outH: number, outW: number, m: WinogradTile): Tiling {
  const th = Math.ceil(outH / m);
  const tw = Math.ceil(outW / m);
  return { m, th, tw, tiles: n * th * tw, count: (m + 2) ** 2 };
}

/** V = Bᵀ·d·B for every tile's (m+2)×(m+2) input window (zero outside x): (m+2)² matrices [tiles, C]. */
function transformInput(scratch: Scratch, x: TensorInfo, t: Tiling, top: number, left: number): TensorInfo[] {
  const [n, h, w, ci] = x.shape;
  const v = Array.from({ length: t.count }, () => scratch.alloc([t.tiles, ci]));
  const zero = scratch.alloc([ci], true);
  const heap = scratch.backend;
  const [vBase, xBase, zeroAt] = [offsets(heap, v), heapOffset(heap, x), heapOffset(heap, zero)];
  runSplit(heap, n, (b0, b1) => [`winogradInput${t.m}`, ...vBase.map((o) => o + b0 * t.th * t.tw * ci * 4), xBase + b0 * h * w * ci * 4,
    b1 - b0, h, w, ci * 4, t.th, t.tw, top, left, zeroAt]);
  return v;
}

/**
 * out[b, oy, ox, co] = Σ_{i,j,c} x[b, oy − top + i, ox − left + j, c] · g[i, j, c, co] for oy < outH,
 * ox < outW, with x zero outside its bounds: a 3×3 stride-1 convolution with any padding. Null when
 * the backend is not tfjs-wasm with SIMD.
 */
export function winogradConv(backendArg: unknown, x: TensorInfo, filter: TensorInfo, top: number, left: number,
  outH: number, outW: number, m: WinogradTile = winogradTileFor(outH, outW)): TensorInfo | null {
  const simd = simdKernels(backendArg);
  if (!simd) return null;
  const backend = backendArg as WasmHeap;
  const [n, , , ci] = x.shape;
  const co = filter.shape[3];
  const t = tiling(n, outH, outW, m);
  const scratch = new Scratch(backend);
  try {
    const u = Array.from({ length: t.count }, () => scratch.alloc([ci, co]));
    simd[`winogradFilter${m}`](...offsets(backend, u), heapOffset(backend, filter), 1, 3, 3, ci * co * 4, 1, 1, 0, 0, 0);
    const v = transformInput(scratch, x, t, top, left);
    const products = v.map((vk, k) => scratch.keep(matMul(backend, vk, u[k])));
    const out = backend.makeOutput([n, outH, outW, co], 'float32');
    const chunks = kernelChunks(backend);
    const sink = scratch.alloc([chunks, co]); // one per chunk: each writes its images' clipped pixels there
    const [pBase, outBase, sinkBase] = [offsets(backend, products), heapOffset(backend, out), heapOffset(backend, sink)];
    runOnThreads(backend, splitRange(n, chunks).map(([b0, b1], k) => [[`winogradOutput${m}`, ...pBase.map((o) => o + b0 * t.th * t.tw * co * 4),
      outBase + b0 * outH * outW * co * 4, b1 - b0, outH, outW, co * 4, t.th, t.tw, 0, 0, sinkBase + k * co * 4]]));
    return out;
  } finally {
    scratch.free();
  }
}

/**
 * dg[i, j, c, co] = Σ_{b,oy,ox} x[b, oy − top + i, ox − left + j, c] · dy[b, oy, ox, co]: the filter
 * gradient of the convolution above (x zero outside its bounds). Null when not on tfjs-wasm with SIMD.
 */
export function winogradFilterGradient(backendArg: unknown, x: TensorInfo, dy: TensorInfo, top: number, left: number,
  m: WinogradTile = winogradTileFor(dy.shape[1], dy.shape[2])): TensorInfo | null {
  const simd = simdKernels(backendArg);
  if (!simd) return null;
  const backend = backendArg as WasmHeap;
  const [n, , , ci] = x.shape;
  const [, oh, ow, co] = dy.shape;
  const t = tiling(n, oh, ow, m);
  const { tiles, count } = t;
  const scratch = new Scratch(backend);
  try {
    const v = transformInput(scratch, x, t, top, left);
    const dz = Array.from({ length: count }, () => scratch.alloc([tiles, co]));
    const zeroDy = scratch.alloc([co], true);
    const [dzBase, dyBase, zeroAt] = [offsets(backend, dz), heapOffset(backend, dy), heapOffset(backend, zeroDy)];
    runSplit(backend, n, (b0, b1) => [`winogradOutputGrad${m}`, ...dzBase.map((o) => o + b0 * t.th * t.tw * co * 4), dyBase + b0 * oh * ow * co * 4,
      b1 - b0, oh, ow, co * 4, t.th, t.tw, 0, 0, zeroAt]);
    // dU[k] = V[k]ᵀ · dZ[k] as outer-product sums with the sums in registers (filterGrad in wasm/convLoops.ts,
    // as the 1×1 filter gradient of a 1×T "image"): XNNPACK would re-pack the T×CO operand on every call,
    // which measured 3× slower than the products themselves (F(2×2): 15.1 ms of GEMMs vs 4.6 with
    // operands it had packed before).
    const du = Array.from({ length: count }, () => scratch.alloc([ci, co], true));
    const vecs = co % 8 === 0 ? 2 : 1;
    const sums: SimdCall[][] = [];
    for (let k = 0; k < count; k++) {
      const [vk, dzk, duk] = offsets(backend, [v[k], dz[k], du[k]]);
      const calls: SimdCall[] = [];
      for (let c0 = 0; c0 < ci; c0 += FILTER_TAPS) {
        const group = Array.from({ length: Math.min(FILTER_TAPS, ci - c0) }, (_, g) => c0 + g);
        calls.push([`filterGrad${group.length}x${vecs}`, vk, dzk, duk, 1, 1, tiles, co * 4, 0, 0, ci * 4,
          ...group.map((c) => 4 * c), ...group.map((c) => c * co * 4)]);
      }
      sums.push(calls);
    }
    runOnThreads(backend, spread(sums, kernelChunks(backend)).map((part) => part.flat())); // each k writes its own dU[k]
    const dg = backend.makeOutput([3, 3, ci, co], 'float32');
    simd[`winogradFilterGrad${m}`](...offsets(backend, du), heapOffset(backend, dg), 1, 3, 3, ci * co * 4, 1, 1, 0, 0, 0);
    return dg;
  } finally {
    scratch.free();
  }
}

/**
 * dx of the convolution above: a "full" convolution of dy with the filter turned 180° and its input
 * and output channels swapped, dx[b, p, q, c] = Σ dy[b, p + top − 2 + i, q + left − 2 + j, co] ·
 * g[2 − i, 2 − j, c, co]. Null when not on tfjs-wasm with SIMD.
 */
export function winogradInputGradient(backendArg: unknown, dy: TensorInfo, filter: TensorInfo, xShape: number[], top: number, left: number,
  m: WinogradTile = winogradTileFor(xShape[1], xShape[2])): TensorInfo | null {
  if (!simdKernels(backendArg)) return null;
  const backend = backendArg as WasmHeap;
  const [, , ci, co] = filter.shape;
  const turned = backend.makeOutput([3, 3, co, ci], 'float32');
  try {
    const g = backend.typedArrayFromHeap(filter);
    const out = backend.typedArrayFromHeap(turned);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const src = ((2 - i) * 3 + (2 - j)) * ci * co;
      const dst = (i * 3 + j) * co * ci;
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) out[dst + o * ci + c] = g[src + c * co + o];
    }
    return winogradConv(backend, dy, turned, 2 - top, 2 - left, xShape[1], xShape[2], m);
  } finally {
    backend.disposeData(turned.dataId);
  }
}
