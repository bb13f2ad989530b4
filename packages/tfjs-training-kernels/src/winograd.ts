// 3×3, stride-1 convolutions on wasm as Winograd's minimal filtering F(m×m, 3×3) (Lavin & Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2015): an m×m block of outputs costs (m+2)²
// multiplies per input and output channel instead of 9m² — F(4×4, 3×3) 36 instead of 144, F(2×2, 3×3)
// 16 instead of 36. The tile transforms are SIMD loops on the heap (wasm/winogradTransforms.ts).
//   forward   y  = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A            per tile, summed over input channels
//   filter    dg = Gᵀ [ Σ_tiles (Bᵀ d B) ⊙ (A dy Aᵀ) ] G      per input and output channel
//   input     dx = the forward pass of dy with the filter turned 180° and its channels swapped
// The (m+2)² products per tile are (m+2)² GEMMs run by our register-blocked SIMD gemm loop, in one job
// with the transforms: a part of the batch goes through every stage on one thread (as separate XNNPACK
// calls, each product was too small for its thread pool to split, and an operand was re-packed per
// call). On a small CNN's second layer F(4×4) beats XNNPACK's direct convolution forward, our direct
// filter-gradient loop and the GEMM + col2im input gradient (npm run bench). The transforms add, subtract and scale by small
// constants: errors against the cpu kernels stay ≤ 1e-5 relative (test/winograd.test.ts,
// test/kernelsAgainstCpu.test.ts).
import type { TensorInfo, WasmHeap } from './rawData';
import { productColumnCalls, productRowCalls } from './gemmCalls';
import { kernelChunks, runOnThreads, runSplit, type SimdCall, splitRange } from './kernelThreads';
import { sumRowsByLines } from './leadingSum';
import { transposeRows } from './transpose';
import { heapOffset, simdKernels, type WinogradTile } from './wasmSimd';


/**
 * Smallest convolution (output pixels × input channels × output channels) that goes to Winograd: below
 * it the GEMM calls' and the transforms' fixed costs lose to XNNPACK's direct convolution and to our
 * direct gradients (around 8×13×13×32 → 64 the two break even).
 */
export const WINOGRAD_MIN_WORK = 2 ** 21;

/** Parts of the batch a filter gradient sums apart (on any thread), then adds up in order. */
const FILTER_GRADIENT_PARTS = 8;

/** Columns per band when a stage's products are split by U's columns: two vectors of 4, the gemm loop's block. */
const STRIP = 8;

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

/** Vectors of 4 channels below which a filter transform stays one call on this thread. */
const MIN_FILTER_VECTORS_PER_CHUNK = 2048;

/**
 * A filter-side transform of a 3×3 filter of `channels` = ci·co (U = G·g·Gᵀ into the (m+2)² matrices,
 * or dg = Gᵀ·dU·G back), in bands of channels over the threads: a 512×512 layer's writes 36 matrices
 * of 512×512. Each channel's values do not depend on the band, so neither do the bits.
 */
function filterTransform(backend: unknown, name: `winogradFilter${WinogradTile}` | `winogradFilterGrad${WinogradTile}`, mats: number[], filterAt: number, channels: number): void {
  runSplit(backend, channels / 4, (v0, v1) => [name, ...mats.map((o) => o + 16 * v0), filterAt + 16 * v0, 1, 3, 3, 16 * (v1 - v0), 1, 1, 0, 0, 0, channels * 4],
    MIN_FILTER_VECTORS_PER_CHUNK);
}

/** Byte offsets of `count` matrices of `size` floats, one after another in one scratch tensor. */
function matrices(scratch: Scratch, count: number, size: number): number[] {
  const base = heapOffset(scratch.backend, scratch.alloc([count, size]));
  return Array.from({ length: count }, (_, k) => base + k * size * 4);
}

interface Tiling { m: WinogradTile; th: number; tw: number; tiles: number; count: number }

/** Tiles of m×m outputs covering n images of outH × outW, and the (m+2)² transformed matrices each needs. */
function tiling(n: number, outH: number, outW: number, m: WinogradTile): Tiling {
  const th = Math.ceil(outH / m);
  const tw = Math.ceil(outW / m);
  return { m, th, tw, tiles: n * th * tw, count: (m + 2) ** 2 };
}

/** The call computing V = Bᵀ·d·B for the tiles of images b0..b1−1 (zero outside x) into the (m+2)² matrices at `vBase`. */
function inputTransformCall(heap: WasmHeap, x: TensorInfo, t: Tiling, top: number, left: number, vBase: number[], zeroAt: number,
  b0: number, b1: number): SimdCall {
  const [, h, w, ci] = x.shape;
  return [`winogradInput${t.m}`, ...vBase.map((o) => o + b0 * t.th * t.tw * ci * 4), heapOffset(heap, x) + b0 * h * w * ci * 4,
    b1 - b0, h, w, ci * 4, t.th, t.tw, top, left, zeroAt];
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
    const uBase = matrices(scratch, t.count, ci * co);
    filterTransform(backend, `winogradFilter${m}`, uBase, heapOffset(backend, filter), ci * co);
    // Each chunk of images goes through the three stages on one thread (input transform, its rows of
    // the (m+2)² products, output transform), so what a stage writes is read from that core's cache.
    const vBase = matrices(scratch, t.count, t.tiles * ci);
    const pBase = matrices(scratch, t.count, t.tiles * co);
    const out = backend.makeOutput([n, outH, outW, co], 'float32');
    const chunks = kernelChunks(backend);
    const sink = scratch.alloc([chunks, co]); // one per chunk: each writes its images' clipped pixels there
    const zeroAt = heapOffset(backend, scratch.alloc([ci], true));
    const [outBase, sinkBase] = [heapOffset(backend, out), heapOffset(backend, sink)];
    const tilesPerImage = t.th * t.tw;
    // The (m+2)² products V[i]·U[i] as one batch: the matrices of each kind lie one after another.
    const batch = { count: t.count, aStep: t.tiles * ci * 4, bStep: ci * co * 4, cStep: t.tiles * co * 4 };
    const product = { a: vBase[0], b: uBase[0], c: pBase[0], m: t.tiles, k: ci, n: co, aRow: ci * 4, aCol: 4, batch };
    const images = splitRange(n, chunks);
    const outputCall = ([b0, b1]: [number, number], k: number): SimdCall => [`winogradOutput${m}`, ...pBase.map((o) => o + b0 * tilesPerImage * co * 4),
      outBase + b0 * outH * outW * co * 4, b1 - b0, outH, outW, co * 4, t.th, t.tw, 0, 0, sinkBase + k * co * 4];
    if (images.length > 1 && co > t.tiles) {
      // More output channels than tiles (a deep layer's small maps): split by images, every thread
      // would stream all of U (36 matrices of 512×512 in a ResNet's last stage) for a few rows. So the
      // stages run apart: the transforms by images, the products by bands of U's columns.
      runOnThreads(backend, images.map(([b0, b1]) => [inputTransformCall(backend, x, t, top, left, vBase, zeroAt, b0, b1)]));
      runOnThreads(backend, splitRange(Math.ceil(co / STRIP), chunks).map(([s0, s1]) =>
        productColumnCalls(product, s0 * STRIP, Math.min(co, s1 * STRIP))));
      runOnThreads(backend, images.map((range, k) => [outputCall(range, k)]));
      return out;
    }
    runOnThreads(backend, images.map(([b0, b1], k) => [
      inputTransformCall(backend, x, t, top, left, vBase, zeroAt, b0, b1),
      ...productRowCalls(product, b0 * tilesPerImage, b1 * tilesPerImage),
      outputCall([b0, b1], k),
    ]));
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
    const vBase = matrices(scratch, count, tiles * ci);
    const dzBase = matrices(scratch, count, tiles * co);
    const zeroX = heapOffset(backend, scratch.alloc([ci], true));
    const zeroDy = heapOffset(backend, scratch.alloc([co], true));
    const dyBase = heapOffset(backend, dy);
    const tilesPerImage = t.th * t.tw;
    const matrix = ci * co * 4;
    const batch = { count, aStep: tiles * ci * 4, bStep: tiles * co * 4, cStep: matrix };
    const transformCalls = ([b0, b1]: [number, number]): SimdCall[] => [
      inputTransformCall(backend, x, t, top, left, vBase, zeroX, b0, b1),
      [`winogradOutputGrad${m}`, ...dzBase.map((o) => o + b0 * tilesPerImage * co * 4), dyBase + b0 * oh * ow * co * 4,
        b1 - b0, oh, ow, co * 4, t.th, t.tw, 0, 0, zeroDy],
    ];
    const dg = backend.makeOutput([3, 3, ci, co], 'float32');
    if (FILTER_GRADIENT_PARTS * ci * co > tiles * (ci + co)) {
      // Few tiles for the filter's size (a deep layer's small maps): partial sums per part of the batch
      // would outweigh the transformed inputs (8 × 36 matrices of 512×512 in a ResNet's last stage). So
      // one sum over all tiles, dU[k] = V[k]ᵀ · dZ[k], split by rows of dU after the transforms.
      const du = scratch.alloc([count, ci, co]);
      const duBase = heapOffset(backend, du);
      runOnThreads(backend, splitRange(n, kernelChunks(backend)).map(transformCalls));
      runOnThreads(backend, splitRange(Math.ceil(ci / 4), kernelChunks(backend)).map(([r0, r1]) =>
        productRowCalls({ a: vBase[0], b: dzBase[0], c: duBase, m: ci, k: tiles, n: co, aRow: 4, aCol: ci * 4, batch }, 4 * r0, Math.min(ci, 4 * r1))));
      filterTransform(backend, `winogradFilterGrad${m}`, Array.from({ length: count }, (_, k) => duBase + k * matrix), heapOffset(backend, dg), ci * co);
      return dg;
    }
    // Each part of the images goes through the transforms and its sums on one thread (what a stage writes
    // is read from that core's cache); the parts' sums are then added in a fixed order. The number of
    // parts does not depend on the threads, so neither do the result's bits.
    const parts = splitRange(n, FILTER_GRADIENT_PARTS);
    const partial = scratch.alloc([parts.length, count, ci, co]);
    const partialBase = heapOffset(backend, partial);
    runOnThreads(backend, parts.map(([b0, b1], part) => [
      ...transformCalls([b0, b1]),
      // This part's dU[k] = V[k]ᵀ · dZ[k] over its tiles, for every k in one batch.
      ...productRowCalls({ a: vBase[0] + b0 * tilesPerImage * ci * 4, b: dzBase[0] + b0 * tilesPerImage * co * 4,
        c: partialBase + part * count * matrix, m: ci, k: (b1 - b0) * tilesPerImage, n: co, aRow: 4, aCol: ci * 4, batch }, 0, ci),
    ]));
    const du = scratch.alloc([count, ci, co], true);
    const duBase = heapOffset(backend, du);
    sumRowsByLines(backend, partialBase, duBase, parts.length, count * matrix, parts.length, count * matrix);
    filterTransform(backend, `winogradFilterGrad${m}`, Array.from({ length: count }, (_, k) => duBase + k * matrix), heapOffset(backend, dg), ci * co);
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
    const g = backend.typedArrayFromHeap(filter) as Float32Array;
    const out = backend.typedArrayFromHeap(turned) as Float32Array;
    const tap = ci * co;
    // Four output rows at a time (transposeRows): a column-by-column write of a power-of-two stride
    // thrashes the cache, and a 512×512 layer turns 2.4M values on the calling thread.
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const src = ((2 - i) * 3 + (2 - j)) * tap;
      transposeRows(g.subarray(src, src + tap), out.subarray((i * 3 + j) * tap, (i * 3 + j + 1) * tap), 1, ci, co);
    }
    return winogradConv(backend, dy, turned, 2 - top, 2 - left, xShape[1], xShape[2], m);
  } finally {
    backend.disposeData(turned.dataId);
  }
}
