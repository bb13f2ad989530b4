// Conv2D on wasm: 3×3 stride-1 convolutions big enough to gain run as Winograd F(m×m, 3×3)
// (winograd.ts: fewer multiplies than XNNPACK's direct convolution); other convolutions with more than
// one tap (strided ones from 8 outputs a row) run, where that gains, as our gemm loop reading the
// filter's rows straight from the input (where the loop fuses its multiply-adds, as the matrix
// products do), split over our kernel threads; everything else goes to the stock kernel.
import * as tf from '@tensorflow/tfjs-core';
import { type Product, productRowCalls } from './gemmCalls';
import { type Conv2DInfo, convInfo, filterGradientWindow, pair, type Pad } from './geometry';
import { kernelChunks, runOnThreads, type SimdCall, splitRange } from './kernelThreads';
import type { TensorInfo, WasmHeap } from './rawData';
import { overrideKernel, runStock } from './registry';
import { heapOffset, simdLoopsFused } from './wasmSimd';
import { winogradApplies, winogradConv } from './winograd';

export interface Conv2DAttrs {
  strides: number | number[];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | number[];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const plainFloat = (x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs) =>
  attrs.dataFormat !== 'NCHW' && x.dtype === 'float32' && filter.dtype === 'float32' && x.shape.length === 4;

/** x ⊛ filter as Winograd where it applies and gains (NHWC, float32, 3×3 stride 1, big enough), else null. */
export function winogradConvFor(backend: unknown, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): TensorInfo | null {
  if (!plainFloat(x, filter, attrs)) return null;
  const { outHeight, outWidth, padInfo } = convInfo(x.shape, filter.shape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false);
  if (!winogradApplies(filter.shape, pair(attrs.strides), pair(attrs.dilations), x.shape[0] * outHeight * outWidth)) return null;
  return winogradConv(backend, x, filter, padInfo.top, padInfo.left, outHeight, outWidth);
}

/** Multiply-adds from which a convolution of 4 or more input channels gains from our loop. */
export const GEMM_CONV_MIN_WORK = 2 ** 24;

/**
 * Whether our gemm loop beats XNNPACK's convolution (measured on the course CNN's first layer and on
 * 3×3 and 5×5 layers of 1 to 32 input channels, one thread and two): for one or two input channels
 * always (the course CNN's first layer: XNNPACK 1.3–2.0 ms, ours 0.9 on one thread); for three (an RGB
 * image) neither wins; for four or more from GEMM_CONV_MIN_WORK multiply-adds (a 5×5 layer of 32
 * channels on 12×12 images: 1.2× on one thread, 1.8× split over two, where XNNPACK has one). The
 * choice does not depend on the threads, so neither do the result's bits.
 */
export function gemmConvGains(inChannels: number, multiplyAdds: number): boolean {
  return inChannels <= 2 || (inChannels >= 4 && multiplyAdds >= GEMM_CONV_MIN_WORK);
}

/**
 * The geometry of a convolution our gemm loop can run (NHWC float32, fused multiply-adds here, any
 * stride, no dilation, co % 4 = 0, more than one tap, a non-empty output), else null; the cheap checks first.
 */
function gemmConvGeometry(backend: unknown, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): Conv2DInfo | null {
  if (!plainFloat(x, filter, attrs) || !simdLoopsFused(backend)) return null;
  const [kh, kw, , co] = filter.shape;
  const [dh, dw] = pair(attrs.dilations);
  if (co % 4 !== 0 || kh * kw === 1 || dh !== 1 || dw !== 1) return null;
  const info = convInfo(x.shape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false);
  // A strided convolution runs a product per output row, each reading the whole filter: from 8 outputs
  // a row it gains (64→128 at stride 2 on 32×32: 29.7 ms against XNNPACK's 44.9 on one thread); at 4
  // (256→512 on 8×8) the filter streams from memory for too little work (54.0 against 39.0).
  if ((info.strideHeight > 1 || info.strideWidth > 1) && info.outWidth < 8) return null;
  return info.outHeight > 0 && info.outWidth > 0 ? info : null;
}

/** gemmConv where it applies and gains (gemmConvGains), else null. */
export function gemmConvFor(backend: unknown, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): TensorInfo | null {
  const info = gemmConvGeometry(backend, x, filter, attrs);
  if (!info) return null;
  const [kh, kw, ci, co] = filter.shape;
  return gemmConvGains(ci, x.shape[0] * info.outHeight * info.outWidth * kh * kw * ci * co) ? convolve(backend, x, filter, info) : null;
}

/**
 * x ⊛ filter as our gemm loop, for any stride (from 8 outputs a row when strided), no dilation,
 * co % 4 = 0 and more than one tap (a 1×1 convolution measured no faster than XNNPACK's), where the
 * loop fuses multiply-adds; else null.
 */
export function gemmConv(backend: unknown, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): TensorInfo | null {
  const info = gemmConvGeometry(backend, x, filter, attrs);
  return info ? convolve(backend, x, filter, info) : null;
}

/**
 * x ⊛ filter as our gemm loop, with gemmConvGeometry's geometry. In NHWC a filter row's kw·ci inputs lie
 * side by side in x, and the inputs of neighbouring outputs ci floats apart: for an image padded to
 * Hp × Wp, output pixel p = oy·Wp + ox is
 *   Σ_{i<kh} Σ_{j<kw·ci} x[p·ci + i·Wp·ci + j] · g[i·kw·ci + j, ·]
 * one product with kh taps (wasm/gemmLoops.ts). Over a whole image the rows ox ≥ ow between two output
 * rows are computed too and dropped (the image goes to a scratch block, then its ow·co runs to the
 * output); where they would be more than an eighth of the work (a wide filter on a narrow image), or
 * the convolution is strided (neighbouring outputs sw pixels apart in x), each output row is its own
 * product instead, written in place. Each output is summed in the same order on any thread.
 */
function convolve(backend: unknown, x: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const { outHeight: oh, outWidth: ow } = info;
  const heap = backend as WasmHeap;
  const xp = filterGradientWindow(x as tf.Tensor4D, info, kh, kw);
  try {
    const [n, hp, wp] = xp.shape;
    const { strideHeight: sh, strideWidth: sw } = info;
    const out = heap.makeOutput([n, oh, ow, co], 'float32');
    const [xBase, gBase, outBase] = [heapOffset(backend, xp), heapOffset(backend, filter), heapOffset(backend, out)];
    const [imageIn, imageOut, rowIn, rowOut] = [hp * wp * ci * 4, oh * ow * co * 4, wp * ci * 4, ow * co * 4];
    // Neighbouring outputs of a row read inputs sw pixels apart.
    const product = (a: number, c: number, m: number, batch?: Product['batch']) =>
      productRowCalls({ a, b: gBase, c, m, k: kw * ci, n: co, aRow: sw * ci * 4, aCol: 4, taps: kh, aTap: rowIn, batch }, 0, m);
    const pieces = splitRange(n, kernelChunks(backend));
    if (sh > 1 || sw > 1 || 8 * (wp - ow) > ow) {
      // Each output row its own product (a batch of them per image: the rows sh input rows apart).
      const rows = { count: oh, aStep: sh * rowIn, bStep: 0, cStep: rowOut };
      runOnThreads(backend, pieces.map(([b0, b1]) => {
        const calls: SimdCall[] = [];
        for (let b = b0; b < b1; b++) calls.push(...product(xBase + b * imageIn, outBase + b * imageOut, ow, rows));
        return calls;
      }));
      return out;
    }
    const direct = wp === ow; // no rows to drop: straight to the output
    const rowsPerImage = (oh - 1) * wp + ow;
    const scratch = direct ? null : heap.makeOutput([pieces.length, oh * wp, co], 'float32');
    try {
      const scratchBase = scratch ? heapOffset(backend, scratch) : 0;
      const block = oh * wp * co * 4;
      runOnThreads(backend, pieces.map(([b0, b1], piece) => {
        const calls: SimdCall[] = [];
        for (let b = b0; b < b1; b++) {
          const c = direct ? outBase + b * imageOut : scratchBase + piece * block;
          calls.push(...product(xBase + b * imageIn, c, rowsPerImage));
          if (!direct) calls.push(['copyRows', c, outBase + b * imageOut, oh, rowOut, wp * co * 4, rowOut]);
        }
        return calls;
      }));
      return out;
    } finally {
      if (scratch) heap.disposeData(scratch.dataId);
    }
  } finally {
    if (xp !== (x as tf.Tensor4D)) xp.dispose();
  }
}

/** x ⊛ filter by our kernels where one applies (Winograd first, then the gemm loop), else null. */
export function ourConvFor(backend: unknown, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): TensorInfo | null {
  return winogradConvFor(backend, x, filter, attrs) ?? gemmConvFor(backend, x, filter, attrs);
}

export function registerConv2DKernel(backend: string): void {
  if (backend !== 'wasm') return;
  overrideKernel('Conv2D', backend, (stock) => (args) => {
    const { x, filter } = args.inputs as unknown as { x: TensorInfo; filter: TensorInfo };
    return ourConvFor(args.backend, x, filter, args.attrs as unknown as Conv2DAttrs)
      ?? runStock(stock, args, 'Conv2D', backend, 'with these attributes');
  });
}
