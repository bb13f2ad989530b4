// Element-wise work around every layer's activations, each one SIMD pass on the wasm heap instead of
// several passes of stock kernels:
// - Relu itself: XNNPACK's runs on one thread; ours is split over our kernel threads.
// - Relu's gradient: tfjs computes dy · cast(step(x)) as Step, Cast and Multiply; ours is one kernel
//   with the same arithmetic. tfjs's gradient for Relu is replaced process-wide (once
//   registerTrainingKernels('wasm') runs), and uses tfjs's own formula where our kernel is not registered.
// - A tensor's magnitudes [Σx², Σ|x|, max |x|] in one pass (ModelLensMagnitudes), for gradient figures:
//   five kernels and passes otherwise (square, sum, abs, sum, max).
// (The bias gradient's sum is in leadingSum.ts.) Without WebAssembly SIMD, plain loops do the same.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo, WasmHeap } from './rawData';
import { overrideKernel, runStock } from './registry';
import { runVectors } from './kernelThreads';
import { heapOffset, simdKernels } from './wasmSimd';

export const RELU_GRAD = 'ModelLensReluGrad';
export const MAGNITUDES = 'ModelLensMagnitudes';


let gradientReplaced = false;

/** tfjs's Relu gradient, through our kernel where the current backend has it. */
function replaceReluGradient(): void {
  if (gradientReplaced) return;
  gradientReplaced = true;
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      const g = dy as tf.Tensor;
      return {
        x: () => (tf.getKernel(RELU_GRAD, tf.getBackend()) && x.dtype === 'float32' && g.dtype === 'float32'
          ? tf.engine().runKernel(RELU_GRAD, { dy: g, x }) as tf.Tensor
          : tf.mul(g, tf.cast(tf.step(x), 'float32'))),
      };
    },
  });
}

export function registerElementwiseKernels(backend: string): void {
  if (backend !== 'wasm') return;
  replaceReluGradient();
  overrideKernel(RELU_GRAD, backend, () => (args) => {
    const { dy, x } = args.inputs as unknown as { dy: TensorInfo; x: TensorInfo };
    const simd = simdKernels(args.backend);
    const wasm = args.backend as unknown as WasmHeap;
    const out = wasm.makeOutput(x.shape, 'float32');
    const n = tf.util.sizeFromShape(x.shape);
    const whole = simd ? runVectors(wasm, 'reluGrad', [dy, x, out].map((t) => heapOffset(wasm, t)), n) : 0;
    if (whole < n) {
      const [g, v, o] = [wasm.typedArrayFromHeap(dy), wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(out)];
      for (let i = whole; i < n; i++) o[i] = g[i] * (v[i] > 0 ? 1 : Number.isNaN(v[i]) ? NaN : 0);
    }
    return out;
  });
  overrideKernel('Relu', backend, (stock) => (args) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const simd = x.dtype === 'float32' ? simdKernels(args.backend) : null;
    if (!simd) return runStock(stock, args, 'Relu', backend, `for ${x.dtype} input`);
    const wasm = args.backend as unknown as WasmHeap;
    const out = wasm.makeOutput(x.shape, 'float32');
    const n = tf.util.sizeFromShape(x.shape);
    const whole = runVectors(wasm, 'relu', [x, out].map((t) => heapOffset(wasm, t)), n);
    const [v, o] = [wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(out)];
    for (let i = whole; i < n; i++) o[i] = v[i] < 0 ? 0 : v[i];
    return out;
  });
  overrideKernel(MAGNITUDES, backend, () => (args) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const wasm = args.backend as unknown as WasmHeap;
    const simd = simdKernels(args.backend);
    const n = tf.util.sizeFromShape(x.shape);
    const whole = simd ? n - (n % 16) : 0; // the loop takes 16 floats at a time
    const f = Math.fround;
    let [squares, absolutes, largest] = [0, 0, 0];
    if (simd && whole > 0) {
      const lanes = wasm.makeOutput([12], 'float32');
      simd.magnitudes(heapOffset(wasm, x), heapOffset(wasm, lanes), whole * 4);
      const l = wasm.typedArrayFromHeap(lanes) as Float32Array;
      squares = f(f(f(l[0] + l[1]) + l[2]) + l[3]);
      absolutes = f(f(f(l[4] + l[5]) + l[6]) + l[7]);
      largest = Math.max(l[8], l[9], l[10], l[11]);
      wasm.disposeData(lanes.dataId);
    }
    const v = wasm.typedArrayFromHeap(x) as Float32Array;
    for (let i = whole; i < n; i++) {
      squares = f(squares + f(v[i] * v[i]));
      absolutes = f(absolutes + Math.abs(v[i]));
      largest = Math.max(largest, Math.abs(v[i]));
    }
    const out = wasm.makeOutput([3], 'float32');
    (wasm.typedArrayFromHeap(out) as Float32Array).set([squares, absolutes, largest]);
    return out;
  });
}
