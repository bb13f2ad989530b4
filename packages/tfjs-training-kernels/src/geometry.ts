// Shared shape arithmetic for the convolution kernels: tfjs's own conv_util (so padding matches the
// stock kernels exactly), padding that may be negative (a crop), and zero-dilation of a gradient.
import * as tf from '@tensorflow/tfjs-core';

export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];
export type Pad = 'valid' | 'same' | number | ExplicitPad;
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;
export type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

export const pair = (v: number | number[] | undefined, fallback = 1): [number, number] =>
  v == null ? [fallback, fallback] : Array.isArray(v) ? [v[0], v.length > 1 ? v[1] : v[0]] : [v, v];

/** tfjs's conv geometry (output size, padding) for an NHWC input and an HWIO (or HWCM) filter. */
export function convInfo(xShape: number[], filterShape: number[], strides: number | number[], dilations: number | number[] | undefined,
  pad: Pad, rounding: Rounding, depthwise: boolean): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number],
    pair(strides), pair(dilations), pad, rounding, depthwise);
}

/** Pads (or, where an amount is negative, crops) the two spatial axes of an NHWC tensor. */
export function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let out = t;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    out = tf.pad(out, [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]]);
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const h = out.shape[1] + Math.min(0, top) + Math.min(0, bottom);
    const w = out.shape[2] + Math.min(0, left) + Math.min(0, right);
    out = tf.slice(out, [0, Math.max(0, -top), Math.max(0, -left), 0], [-1, h, w, -1]);
  }
  return out;
}

/** Inserts (sh-1) zero rows and (sw-1) zero columns between neighbouring pixels: [N,H,W,C] → [N,(H-1)sh+1,(W-1)sw+1,C]. */
export function dilateSpatial(t: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return t;
  const [n, h, w, c] = t.shape;
  const spaced = tf.pad(tf.reshape(t, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.slice(tf.reshape(spaced, [n, h * sh, w * sw, c]) as tf.Tensor4D, [0, 0, 0, 0], [-1, (h - 1) * sh + 1, (w - 1) * sw + 1, -1]);
}

/**
 * x padded (or cropped) to exactly the rows and columns a filter gradient reads: the forward pass's
 * padding on top and left, and through the last window's last tap. Returns x itself when it fits.
 */
export function filterGradientWindow(x: tf.Tensor4D, info: { outHeight: number; outWidth: number; strideHeight: number;
  strideWidth: number; dilationHeight: number; dilationWidth: number; padInfo: { top: number; left: number } }, kh: number, kw: number): tf.Tensor4D {
  const needH = (info.outHeight - 1) * info.strideHeight + (kh - 1) * info.dilationHeight + 1;
  const needW = (info.outWidth - 1) * info.strideWidth + (kw - 1) * info.dilationWidth + 1;
  const { top, left } = info.padInfo;
  const [, height, width] = x.shape;
  if (top === 0 && left === 0 && needH === height && needW === width) return x;
  return tf.tidy(() => padOrCrop(x, top, needH - height - top, left, needW - width - left));
}
