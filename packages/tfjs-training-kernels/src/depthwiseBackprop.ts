// Depthwise convolution's backward kernels written with the forward depthwise convolution (XNNPACK on
// wasm). Stock tfjs-wasm has neither DepthwiseConv2dNativeBackpropFilter nor …Input, so no model
// with depthwiseConv2d or separableConv2d can train there.
import * as tf from '@tensorflow/tfjs-core';
import { convInfo, dilateSpatial, filterGradientWindow, padOrCrop, pair, type Pad, type Rounding } from './geometry';
import type { TensorInfo, WasmHeap } from './rawData';
import { overrideKernel, runStock } from './registry';
import { runOnThreads, type SimdCall, splitRange } from './kernelThreads';
import { sumRowsByLines } from './leadingSum';
import { DEPTHWISE_TAPS, heapOffset, simdKernels } from './wasmSimd';

/** Parts of the batch a depthwise filter gradient sums apart (on any thread), then adds up in order. */
const DEPTHWISE_PARTS = 8;

/**
 * The same filter gradient as direct SIMD loops on the wasm heap (depthwiseFilterGrad{T} in
 * wasm/convLoops.ts), 4 channels at a time. XNNPACK's depthwise convolution with an oh×ow "filter"
 * (the form below) is an order of magnitude slower; this runs about as fast as the forward pass.
 * C % 4 = 0; null where it does not apply.
 */
export function simdDepthwiseFilterGradient(backend: unknown, x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[],
  strides: number | number[], pad: Pad, dilations: number | number[] = 1, rounding?: Rounding): TensorInfo | null {
  const [kh, kw, channels, multiplier] = filterShape;
  if (channels % 4 !== 0 || x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const simd = simdKernels(backend);
  if (!simd) return null;
  const info = convInfo(x.shape, filterShape, strides, dilations, pad, rounding, true);
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow } = info;
  const n = x.shape[0];
  const xp = filterGradientWindow(x, info, kh, kw);
  const [, needH, needW] = xp.shape;
  // dy's channels are c·M + m; with several multipliers, regroup them as [M, C] so channels are contiguous.
  const dyMC = multiplier === 1 ? dy
    : tf.tidy(() => tf.transpose(tf.reshape(dy, [n, oh, ow, channels, multiplier]), [0, 1, 2, 4, 3]));
  const wasm = backend as WasmHeap;
  // With several multipliers, gradients for [kh, kw, M, C] (channels contiguous), transposed at the end.
  const out = wasm.makeOutput(multiplier === 1 ? filterShape : [kh, kw, multiplier, channels], 'float32');
  try {
    wasm.typedArrayFromHeap(out).fill(0);
    const pix = channels * 4;
    const taps: [number, number][] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push([(i * dh * needW + j * dw) * pix, (i * kw + j) * multiplier * pix]);
    const [xBase, dyBase, outBase] = [xp, dyMC, out].map((t) => heapOffset(backend, t));
    // By parts of the batch, a fixed number whatever the threads: each part sums its images into its own
    // copy of dw, and the copies are then added in order, so the bits do not depend on the threads.
    // (By bands of channels, two threads stored into neighbouring bytes of dw on every image row, and
    // ran slower than one.)
    const parts = splitRange(n, DEPTHWISE_PARTS);
    const size = tf.util.sizeFromShape(out.shape);
    const partial = wasm.makeOutput([parts.length, size], 'float32');
    try {
      wasm.typedArrayFromHeap(partial).fill(0);
      const partialBase = heapOffset(backend, partial);
      const dyImage = oh * ow * multiplier * pix;
      runOnThreads(backend, parts.map(([b0, b1], part) => {
        const calls: SimdCall[] = [];
        for (let m = 0; m < multiplier; m++) {
          for (let k = 0; k < taps.length; k += DEPTHWISE_TAPS) {
            const group = taps.slice(k, k + DEPTHWISE_TAPS);
            calls.push([`depthwiseFilterGrad${group.length}`, xBase + b0 * needH * needW * pix, dyBase + b0 * dyImage + m * pix, partialBase + part * size * 4,
              b1 - b0, oh, ow, pix, needH * needW * pix, sh * needW * pix, sw * pix, multiplier * pix,
              ...group.map(([xOff]) => xOff), ...group.map(([, dwOff]) => dwOff + m * pix)]);
          }
        }
        return calls;
      }));
      sumRowsByLines(backend, partialBase, outBase, parts.length, size * 4, parts.length, size * 4);
    } finally {
      wasm.disposeData(partial.dataId);
    }
  } finally {
    if (xp !== x) xp.dispose();
    if (dyMC !== dy) dyMC.dispose();
  }
  if (multiplier === 1) return out;
  return tf.tidy(() => {
    const t = tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
    return tf.transpose(t, [0, 1, 3, 2]);
  });
}

/**
 * dW[i,j,c,m] = Σ_{n,oh,ow} xpad[n, oh·sh + i·dh, ow·sw + j·dw, c] · dy[n, oh, ow, c·M + m].
 * Folding the batch into the channels makes that one depthwise convolution: the input is xpad as
 * [1, Hp, Wp, N·C], the "filter" is dy as [oh, ow, N·C, M], with the forward's strides as dilations
 * and its dilations as strides; the N partial filters are then summed.
 */
export function depthwiseFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], strides: number | number[], pad: Pad,
  dilations: number | number[] = 1, rounding?: Rounding): tf.Tensor4D {
  const info = convInfo(x.shape, filterShape, strides, dilations, pad, rounding, true);
  const [kh, kw, channels, multiplier] = filterShape;
  const [n, height, width] = x.shape;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow } = info;
  const needH = (oh - 1) * sh + (kh - 1) * dh + 1;
  const needW = (ow - 1) * sw + (kw - 1) * dw + 1;
  const { top, left } = info.padInfo;
  return tf.tidy(() => {
    const xp = padOrCrop(x, top, needH - height - top, left, needW - width - left);
    const xt = n === 1 ? xp : tf.reshape(tf.transpose(xp, [1, 2, 0, 3]), [1, needH, needW, n * channels]) as tf.Tensor4D;
    const dy5 = tf.reshape(dy, [n, oh, ow, channels, multiplier]);
    const f = tf.reshape(n === 1 ? dy5 : tf.transpose(dy5, [1, 2, 0, 3, 4]), [oh, ow, n * channels, multiplier]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(xt, f, [dh, dw], 'valid', 'NHWC', [sh, sw]); // [1, kh, kw, N·C·M]
    const perSample = tf.reshape(out, [kh, kw, n, channels, multiplier]);
    return (n === 1 ? tf.reshape(perSample, [kh, kw, channels, multiplier]) : tf.sum(perSample, 2)) as tf.Tensor4D;
  });
}

/**
 * dx = the "full" correlation of dy (zero-dilated by the strides) with the filter rotated by 180°,
 * as a depthwise convolution over the C·M output channels with multiplier 1, then summed over M.
 */
export function depthwiseInputGradient(xShape: number[], dy: tf.Tensor4D, filter: tf.Tensor4D, strides: number | number[], pad: Pad,
  dilations: number | number[] = 1, rounding?: Rounding): tf.Tensor4D {
  const info = convInfo(xShape, filter.shape, strides, dilations, pad, rounding, true);
  const [kh, kw, channels, multiplier] = filter.shape;
  const [n, height, width] = xShape;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  return tf.tidy(() => {
    const spread = dilateSpatial(dy, sh, sw);
    const padTop = (kh - 1) * dh - top;
    const padLeft = (kw - 1) * dw - left;
    const padBottom = height + (kh - 1) * dh - spread.shape[1] - padTop;
    const padRight = width + (kw - 1) * dw - spread.shape[2] - padLeft;
    const dyp = padOrCrop(spread, padTop, padBottom, padLeft, padRight);
    const rotated = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, channels * multiplier, 1]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(dyp, rotated, 1, 'valid', 'NHWC', [dh, dw]); // [N, H, W, C·M]
    return (multiplier === 1 ? out : tf.sum(tf.reshape(out, [n, height, width, channels, multiplier]), 4)) as tf.Tensor4D;
  });
}

interface DepthwiseAttrs {
  strides: number | number[];
  pad: Pad;
  dilations?: number | number[];
  dimRoundingMode?: Rounding;
  filterShape?: number[];
  inputShape?: number[];
}

export function registerDepthwiseBackpropKernels(backend: string): void {
  overrideKernel('DepthwiseConv2dNativeBackpropFilter', backend, (stock) => (args) => {
    const attrs = args.attrs as unknown as DepthwiseAttrs;
    const { x, dy } = args.inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    const [sh, sw] = pair(attrs.strides);
    const [dh, dw] = pair(attrs.dilations);
    if ((sh !== 1 || sw !== 1) && (dh !== 1 || dw !== 1)) {
      return runStock(stock, args, 'DepthwiseConv2dNativeBackpropFilter', backend, 'with both strides and dilations above 1');
    }
    const simd = backend === 'wasm'
      ? simdDepthwiseFilterGradient(args.backend, x, dy, attrs.filterShape!, attrs.strides, attrs.pad, attrs.dilations, attrs.dimRoundingMode) : null;
    return simd ?? depthwiseFilterGradient(x, dy, attrs.filterShape!, attrs.strides, attrs.pad, attrs.dilations, attrs.dimRoundingMode);
  });
  // The cpu backend's own input gradient is faster than this form; its filter gradient is not.
  // Stock wasm has neither.
  if (backend === 'cpu') return;
  overrideKernel('DepthwiseConv2dNativeBackpropInput', backend, (stock) => (args) => {
    const attrs = args.attrs as unknown as DepthwiseAttrs;
    const { dy, filter } = args.inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    const [sh, sw] = pair(attrs.strides);
    const [dh, dw] = pair(attrs.dilations);
    if ((sh !== 1 || sw !== 1) && (dh !== 1 || dw !== 1)) {
      return runStock(stock, args, 'DepthwiseConv2dNativeBackpropInput', backend, 'with both strides and dilations above 1');
    }
    return depthwiseInputGradient(attrs.inputShape!, dy, filter, attrs.strides, attrs.pad, attrs.dilations, attrs.dimRoundingMode);
  });
}
