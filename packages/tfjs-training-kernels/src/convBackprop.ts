// Conv2D's backward kernels. Stock tfjs-wasm has no Conv2DBackpropFilter (training any CNN throws)
// and a slow Conv2DBackpropInput; the cpu backend's filter gradient is ~20× slower than its forward.
// - On wasm, 3×3 stride-1 convolutions big enough to gain go to Winograd first (winograd.ts).
// - Filter gradient: on wasm, direct SIMD loops on the heap (simdFilterGradient) up to 512 input
//   channels; otherwise one forward convolution of transposed tensors (conv2dFilterGradient).
// - Input gradient: on wasm, one GEMM (dy·Wᵀ) plus a SIMD col2im (simdInputGradient) when ci % 4 = 0;
//   otherwise, for stride 1, a "full" forward convolution with the rotated filter. On cpu, stock.
// test/kernelsAgainstCpu.test.ts checks every form against the cpu kernels to 1e-4 relative error.
import * as tf from '@tensorflow/tfjs-core';
import { convInfo, filterGradientWindow } from './geometry';
import type { TensorInfo, WasmHeap } from './rawData';
import { overrideKernel, runStock } from './registry';
import { kernelChunks, runOnThreads, runSplit, type SimdCall, spread } from './kernelThreads';
import { FILTER_TAPS, heapOffset, simdKernels } from './wasmSimd';
import { winogradApplies, winogradFilterGradient, winogradInputGradient } from './winograd';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];
type Pad = 'valid' | 'same' | number | ExplicitPad;

const pair = (v: number | number[]): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v, v]);

/** Top/bottom/left/right padding of the forward pass, as tfjs's conv_util computes it. */
export function forwardPadding(pad: Pad, inH: number, inW: number, kH: number, kW: number, outH: number, outW: number,
  strideH: number, strideW: number): [number, number, number, number] {
  if (pad === 'valid') return [0, 0, 0, 0];
  if (pad === 'same') {
    const totalH = Math.max(0, (outH - 1) * strideH + kH - inH);
    const totalW = Math.max(0, (outW - 1) * strideW + kW - inW);
    const top = Math.floor(totalH / 2);
    const left = Math.floor(totalW / 2);
    return [top, totalH - top, left, totalW - left];
  }
  if (typeof pad === 'number') return [pad, pad, pad, pad];
  return [pad[1][0], pad[1][1], pad[2][0], pad[2][1]];
}

/** dW[kh,kw,ci,co] = Σ_{n,oh,ow} xpad[n, oh·sh + kh, ow·sw + kw, ci] · dy[n, oh, ow, co], as one conv. */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], strides: number | number[], pad: Pad): tf.Tensor4D {
  const [sh, sw] = pair(strides);
  const [kh, kw] = filterShape;
  const [top, bottom, left, right] = forwardPadding(pad, x.shape[1], x.shape[2], kh, kw, dy.shape[1], dy.shape[2], sh, sw);
  return tf.tidy(() => {
    const xp = top + bottom + left + right > 0 ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
    const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [ci, Hp, Wp, n]: the batch becomes channels
    const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, n, co]: dy becomes the filter
    const out = tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', [sh, sw]); // [ci, ≥kh, ≥kw, co]
    const cropped = out.shape[1] === kh && out.shape[2] === kw ? out : tf.slice(out, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(cropped, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** Input channels up to which a filter gradient runs as our SIMD loop rather than XNNPACK's GEMM (kh·kw·ci rows). */
export const SIMD_FILTER_MAX_CHANNELS = 512;

/**
 * A convolution's filter gradient as direct SIMD loops on the wasm heap (filterGrad{T}x{V} in
 * wasm/convLoops.ts: T filter taps of one input channel per pass over dy). The forward-conv form below
 * runs XNNPACK's GEMM with only kh·kw·ci rows, re-reading dy (packed as a huge "filter") per row
 * block, several times slower for a first layer with few input channels and for 1×1 layers (128 → 256
 * at stride 2: 10 ms against 30 on one thread), about even for a 5×5 of 96 channels, and split over
 * the threads by taps. Any filter size, stride, padding and dilation; co % 4 = 0, ci ≤ 512. Null
 * where it does not apply.
 */
export function simdFilterGradient(backend: unknown, x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[],
  strides: number | number[], pad: Pad, dilations: number | number[] = 1): TensorInfo | null {
  const [kh, kw, ci, co] = filterShape;
  if (co % 4 !== 0 || ci > SIMD_FILTER_MAX_CHANNELS || x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const simd = simdKernels(backend);
  if (!simd) return null;
  const info = convInfo(x.shape, filterShape, strides, dilations, pad, undefined, false);
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow } = info;
  const n = x.shape[0];
  const xp = filterGradientWindow(x, info, kh, kw);
  const [, needH, needW] = xp.shape;
  try {
    const wasm = backend as WasmHeap;
    const out = wasm.makeOutput(filterShape, 'float32');
    wasm.typedArrayFromHeap(out).fill(0);
    const pix = ci * 4;
    const xBase = heapOffset(backend, xp);
    const dyBase = heapOffset(backend, dy);
    const dwBase = heapOffset(backend, out);
    const vecs = co % 8 === 0 ? 2 : 1;
    const taps: [number, number][] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < ci; c++) {
      taps.push([(i * dh * needW + j * dw) * pix + 4 * c, ((i * kw + j) * ci + c) * co * 4]);
    }
    const calls: SimdCall[] = [];
    for (let k = 0; k < taps.length; k += FILTER_TAPS) {
      const group = taps.slice(k, k + FILTER_TAPS);
      calls.push([`filterGrad${group.length}x${vecs}`, xBase, dyBase, dwBase, n, oh, ow, co * 4, needH * needW * pix, sh * needW * pix, sw * pix,
        ...group.map(([xOff]) => xOff), ...group.map(([, dwOff]) => dwOff)]);
    }
    runOnThreads(backend, spread(calls, kernelChunks(backend))); // each tap group writes its own dw rows
    return out;
  } finally {
    if (xp !== x) xp.dispose();
  }
}

/**
 * A convolution's input gradient as one GEMM and a scatter-add: cols = dy·Wᵀ ([N·oh·ow, co] ·
 * [co, kh·kw·ci], XNNPACK with the big operand streamed), then col2im (wasm/convLoops.ts) adds each
 * column block into dx. Exactly the forward's multiply-adds; the "full" convolution below also
 * multiplies the zero border through (for a small feature map, a large share more).
 * Any stride and padding. Null where it does not apply (not wasm, ci % 4 ≠ 0).
 */
export function simdInputGradient(backend: unknown, xShape: number[], dy: tf.Tensor4D, filter: tf.Tensor4D,
  strides: number | number[], pad: Pad): TensorInfo | null {
  const [kh, kw, ci, co] = filter.shape;
  if (ci % 4 !== 0 || dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const simd = simdKernels(backend);
  if (!simd) return null;
  const info = convInfo(xShape, filter.shape, strides, 1, pad, undefined, false);
  const [n, height, width] = xShape;
  const [, oh, ow] = dy.shape;
  const cols = tf.tidy(() => {
    const wt = tf.reshape(tf.transpose(filter, [3, 0, 1, 2]), [co, kh * kw * ci]);
    return tf.matMul(tf.reshape(dy, [n * oh * ow, co]), wt);
  });
  try {
    const wasm = backend as WasmHeap;
    const dx = wasm.makeOutput(xShape, 'float32');
    wasm.typedArrayFromHeap(dx).fill(0);
    const [colsBase, dxBase] = [heapOffset(backend, cols), heapOffset(backend, dx)];
    const colsImage = oh * ow * kh * kw * ci * 4;
    const dxImage = height * width * ci * 4;
    runSplit(backend, n, (b0, b1) => ['col2im', colsBase + b0 * colsImage, dxBase + b0 * dxImage, b1 - b0, oh, ow, kh, kw, ci * 4, height, width,
      info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left]);
    return dx;
  } finally {
    cols.dispose();
  }
}

/** dx for stride 1: dy padded to a "full" convolution with the filter rotated 180° and in/out swapped. */
export function conv2dInputGradient(xShape: number[], dy: tf.Tensor4D, filter: tf.Tensor4D, pad: Pad): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  const [top, , left] = forwardPadding(pad, xShape[1], xShape[2], kh, kw, dy.shape[1], dy.shape[2], 1, 1);
  const padTop = kh - 1 - top;
  const padLeft = kw - 1 - left;
  const padBottom = xShape[1] - dy.shape[1] + kh - 1 - padTop;
  const padRight = xShape[2] - dy.shape[2] + kw - 1 - padLeft;
  return tf.tidy(() => {
    const dyp = tf.pad(dy, [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]]);
    const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(dyp, rotated, 1, 'valid');
  });
}

/** The filter gradient as Winograd F(m×m, 3×3) (winograd.ts) where it applies and gains; else null. */
function winogradFilterGradientFor(backend: unknown, x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], strides: number | number[], pad: Pad): TensorInfo | null {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  if (!winogradApplies(filterShape, pair(strides), [1, 1], dy.shape[0] * dy.shape[1] * dy.shape[2])) return null;
  const { padInfo } = convInfo(x.shape, filterShape, strides, 1, pad, undefined, false);
  return winogradFilterGradient(backend, x, dy, padInfo.top, padInfo.left);
}

/** The input gradient as Winograd F(m×m, 3×3) where it applies and gains; else null. */
function winogradInputGradientFor(backend: unknown, xShape: number[], dy: tf.Tensor4D, filter: tf.Tensor4D, strides: number | number[], pad: Pad): TensorInfo | null {
  if (filter.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  if (!winogradApplies(filter.shape, pair(strides), [1, 1], dy.shape[0] * dy.shape[1] * dy.shape[2])) return null;
  const { padInfo } = convInfo(xShape, filter.shape, strides, 1, pad, undefined, false);
  return winogradInputGradient(backend, dy, filter, xShape, padInfo.top, padInfo.left);
}

interface BackpropAttrs {
  strides: number | number[];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: string;
  filterShape?: number[];
  inputShape?: number[];
}

/**
 * Registers Conv2DBackpropFilter and (not on cpu) Conv2DBackpropInput on `backend`, keeping any stock
 * kernel for the cases our forms do not cover (NCHW, rounding modes, strided input gradients off wasm).
 */
export function registerConvBackpropKernels(backend: string): void {
  // On cpu only the filter gradient: the stock cpu input gradient beats the forward-conv form, while
  // its filter gradient is an order of magnitude slower than ours.
  const kernels = backend === 'cpu' ? ['Conv2DBackpropFilter'] as const : ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;
  for (const kernelName of kernels) {
    overrideKernel(kernelName, backend, (stock) => (args) => {
      const attrs = args.attrs as unknown as BackpropAttrs;
      const inputs = args.inputs as unknown as Record<string, tf.Tensor4D>;
      const plain = attrs.dataFormat !== 'NCHW' && attrs.dimRoundingMode == null;
      if (plain && backend === 'wasm') {
        const winograd = kernelName === 'Conv2DBackpropFilter'
          ? winogradFilterGradientFor(args.backend, inputs.x, inputs.dy, attrs.filterShape!, attrs.strides, attrs.pad)
          : winogradInputGradientFor(args.backend, attrs.inputShape!, inputs.dy, inputs.filter, attrs.strides, attrs.pad);
        if (winograd) return winograd;
      }
      if (kernelName === 'Conv2DBackpropFilter' && plain) {
        const simd = backend === 'wasm' ? simdFilterGradient(args.backend, inputs.x, inputs.dy, attrs.filterShape!, attrs.strides, attrs.pad) : null;
        if (simd) return simd;
        return conv2dFilterGradient(inputs.x, inputs.dy, attrs.filterShape!, attrs.strides, attrs.pad);
      }
      if (kernelName === 'Conv2DBackpropInput' && plain && backend === 'wasm') {
        const simd = simdInputGradient(args.backend, attrs.inputShape!, inputs.dy, inputs.filter, attrs.strides, attrs.pad);
        if (simd) return simd;
      }
      const [sh, sw] = pair(attrs.strides);
      if (kernelName === 'Conv2DBackpropInput' && plain && sh === 1 && sw === 1) {
        return conv2dInputGradient(attrs.inputShape!, inputs.dy, inputs.filter, attrs.pad);
      }
      return runStock(stock, args, kernelName, backend, 'with these attributes');
    });
  }
}
