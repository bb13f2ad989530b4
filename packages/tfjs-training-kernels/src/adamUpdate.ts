// Adam's update of one variable as one kernel on wasm (adamUpdate in wasm/elementwiseLoops.ts):
// tf.train.adam runs eleven element-wise kernels per variable and step, each a pass over the array
// and a kernel launch; ours reads each array once and computes the same float32 operations in the
// same order. FusedAdamOptimizer (fusedAdam.ts) uses it where it is registered.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo, WasmHeap } from './rawData';
import { overrideKernel } from './registry';
import { MIN_VECTORS_PER_CHUNK, runSplit } from './kernelThreads';
import { heapOffset, simdKernels } from './wasmSimd';

export const ADAM_UPDATE = 'ModelLensAdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}


const f = Math.fround;

export function registerAdamUpdateKernel(backend: string): void {
  if (backend !== 'wasm') return;
  overrideKernel(ADAM_UPDATE, backend, () => (args) => {
    const { value, m, v, g, c1, c2 } = args.inputs as unknown as Record<'value' | 'm' | 'v' | 'g' | 'c1' | 'c2', TensorInfo>;
    const { beta1, beta2, epsilon, learningRate } = args.attrs as unknown as AdamUpdateAttrs;
    const simd = simdKernels(args.backend); // null without WebAssembly SIMD: the loop below does it all
    const wasm = args.backend as unknown as WasmHeap;
    const outs = [value, m, v].map((t) => wasm.makeOutput(t.shape, 'float32'));
    const [bc1, bc2] = [wasm.typedArrayFromHeap(c1)[0], wasm.typedArrayFromHeap(c2)[0]];
    const n = tf.util.sizeFromShape(value.shape);
    const whole = simd ? n - (n % 4) : 0;
    // The scalars as tfjs makes them: JS numbers (1 − β in double) rounded to float32.
    const k = { b1: f(beta1), omb1: f(1 - beta1), b2: f(beta2), omb2: f(1 - beta2), eps: f(epsilon), negLr: f(-learningRate) };
    if (simd) {
      const bases = [value, m, v, g, ...outs].map((t) => heapOffset(wasm, t));
      runSplit(wasm, whole / 4, (v0, v1) => ['adamUpdate', ...bases.map((b) => b + 16 * v0), 16 * (v1 - v0),
        k.b1, k.omb1, k.b2, k.omb2, bc1, bc2, k.eps, k.negLr], MIN_VECTORS_PER_CHUNK);
    }
    if (whole < n) {
      const [x, mm, vv, gg, nx, nm, nv] = [value, m, v, g, ...outs].map((t) => wasm.typedArrayFromHeap(t));
      for (let i = whole; i < n; i++) {
        nm[i] = f(f(mm[i] * k.b1) + f(gg[i] * k.omb1));
        nv[i] = f(f(vv[i] * k.b2) + f(f(gg[i] * gg[i]) * k.omb2));
        nx[i] = f(f(f(f(nm[i] / bc1) / f(f(Math.sqrt(f(nv[i] / bc2))) + k.eps)) * k.negLr) + x[i]);
      }
    }
    return outs;
  });
}
