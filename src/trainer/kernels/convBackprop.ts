// Conv2D's backward kernels written with the forward Conv2D kernel. Stock tfjs-wasm has no
// Conv2DBackpropFilter (training any CNN throws), and the cpu backend's backprop kernels are ~15×
// slower than its forward conv. Both gradients are forward convolutions of transposed or padded
// tensors (the notes measured ≤ 1.7e-5 relative error against the cpu kernels).
import * as tf from '@tensorflow/tfjs';
import { convInfo, padOrCrop } from './geometry';
import type { TensorInfo } from './rawData';
import { overrideKernel, runStock } from './registry';
import { heapOffset, simdKernels } from './wasmSimd';

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

/** Input channels up to which a 3×3 filter gradient runs as our SIMD loop rather than XNNPACK's GEMM (9·ci rows). */
export const SIMD_FILTER_MAX_CHANNELS = 4;

/**
 * The filter gradient of a 3×3 convolution with few input channels (a first layer: 1 for MNIST, 3 for
 * RGB), as a SIMD loop on the wasm heap (filterGrad3x3 in wasmSimd.ts). For the course CNN's first
 * layer (64×28×28×1 → 32) it takes 2.6 ms where the forward-conv form takes 6.3 ms: that GEMM has 9
 * rows and re-reads dy, packed as a 26×26×64×32 "filter", once per row block. Null where it does not apply.
 */
export function simdFilterGradient3x3(backend: unknown, x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[],
  strides: number | number[], pad: Pad): TensorInfo | null {
  const [kh, kw, ci, co] = filterShape;
  if (kh !== 3 || kw !== 3 || co % 4 !== 0 || ci > SIMD_FILTER_MAX_CHANNELS || x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const simd = simdKernels(backend);
  if (!simd) return null;
  const info = convInfo(x.shape, filterShape, strides, 1, pad, undefined, false);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const [n, height, width] = x.shape;
  const needH = (oh - 1) * sh + 3;
  const needW = (ow - 1) * sw + 3;
  const { top, left } = info.padInfo;
  const xp = top === 0 && left === 0 && needH === height && needW === width ? x
    : tf.tidy(() => padOrCrop(x, top, needH - height - top, left, needW - width - left));
  try {
    const wasm = backend as { makeOutput(shape: number[], dtype: 'float32'): TensorInfo; typedArrayFromHeap(t: TensorInfo): Float32Array };
    const dw = wasm.makeOutput(filterShape, 'float32');
    wasm.typedArrayFromHeap(dw).fill(0);
    const pix = ci * 4;
    for (let c = 0; c < ci; c++) {
      simd.filterGrad3x3(heapOffset(backend, xp) + 4 * c, heapOffset(backend, dy), heapOffset(backend, dw) + 4 * c * co,
        n, oh, ow, co * 4, pix, needW * pix, needH * needW * pix, sh * needW * pix, sw * pix, ci * co * 4);
    }
    return dw;
  } finally {
    if (xp !== x) xp.dispose();
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

interface BackpropAttrs {
  strides: number | number[];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: string;
  filterShape?: number[];
  inputShape?: number[];
}

/**
 * Registers Conv2DBackpropFilter and Conv2DBackpropInput on `backend`, keeping any stock kernel for
 * the cases the forward-conv form does not cover (NCHW, rounding modes, strided input gradients).
 */
export function registerConvBackpropKernels(backend: string): void {
  for (const kernelName of ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const) {
    overrideKernel(kernelName, backend, (stock) => (args) => {
      const attrs = args.attrs as unknown as BackpropAttrs;
      const inputs = args.inputs as unknown as Record<string, tf.Tensor4D>;
      const plain = attrs.dataFormat !== 'NCHW' && attrs.dimRoundingMode == null;
      if (kernelName === 'Conv2DBackpropFilter' && plain) {
        const simd = backend === 'wasm' ? simdFilterGradient3x3(args.backend, inputs.x, inputs.dy, attrs.filterShape!, attrs.strides, attrs.pad) : null;
        if (simd) return simd;
        return conv2dFilterGradient(inputs.x, inputs.dy, attrs.filterShape!, attrs.strides, attrs.pad);
      }
      const [sh, sw] = pair(attrs.strides);
      if (kernelName === 'Conv2DBackpropInput' && plain && sh === 1 && sw === 1) {
        return conv2dInputGradient(attrs.inputShape!, inputs.dy, inputs.filter, attrs.pad);
      }
      return runStock(stock, args, kernelName, backend, 'with these attributes');
    });
  }
}
