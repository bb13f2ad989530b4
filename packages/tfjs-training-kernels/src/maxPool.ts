// MaxPool on wasm as our SIMD loop (wasm/convLoops.ts), split by images over our kernel threads:
// XNNPACK's max pool runs on the calling thread whenever our pool has the threads (kernelThreads.ts),
// and in a small CNN's step it was the largest kernel left on one thread. NHWC float32 with channels in
// fours, any window, stride and padding; dilations and other inputs go to the stock kernel. Every output
// is the same value on any thread count.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo, WasmHeap } from './rawData';
import { overrideKernel, runStock } from './registry';
import { runSplit } from './kernelThreads';
import { heapOffset, simdKernels } from './wasmSimd';

interface MaxPoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Output pixels per chunk below which a max pool is not cut further (handing a chunk over costs more). */
const MIN_PIXELS_PER_CHUNK = 256;

export function registerMaxPoolKernel(backend: string): void {
  if (backend !== 'wasm') return;
  overrideKernel('MaxPool', backend, (stock) => (args) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const attrs = args.attrs as unknown as MaxPoolAttrs;
    const simd = x.dtype === 'float32' && x.shape.length === 4 && x.shape[3] % 4 === 0 ? simdKernels(args.backend) : null;
    if (!simd) return runStock(stock, args, 'MaxPool', backend, `for ${x.dtype} input of shape [${x.shape.join(', ')}]`);
    const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const [n, h, w, c] = x.shape;
    const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
    // A 1×1 pool that keeps the shape is x itself, as the stock kernels return it (a NaN included).
    if (kh === 1 && kw === 1 && oh === h && ow === w) return runStock(stock, args, 'MaxPool', backend, 'as an identity');
    const wasm = args.backend as unknown as WasmHeap;
    const out = wasm.makeOutput([n, oh, ow, c], 'float32');
    if (n * oh * ow * c === 0) return out;
    const [xBase, outBase] = [heapOffset(args.backend, x), heapOffset(args.backend, out)];
    const [image, outImage] = [h * w * c * 4, oh * ow * c * 4];
    const plain2x2 = kh === 2 && kw === 2 && sh === 2 && sw === 2 && padInfo.top === 0 && padInfo.left === 0 && 2 * oh <= h && 2 * ow <= w;
    runSplit(args.backend, n, (b0, b1) => plain2x2
      ? ['maxPool2x2', xBase + b0 * image, outBase + b0 * outImage, b1 - b0, h, w, c * 4, oh, ow]
      : ['maxPool', xBase + b0 * image, outBase + b0 * outImage, b1 - b0, h, w, c * 4, oh, ow, kh, kw, sh, sw, padInfo.top, padInfo.left],
      Math.ceil(MIN_PIXELS_PER_CHUNK / Math.max(1, oh * ow)));
    return out;
  });
}
