// Matrix products go to our gemm loop where it fuses multiply-adds (gemmMatMul.ts); the rest stay with
// XNNPACK. There tfjs-wasm's BatchMatMul runs an order of magnitude slower with transposeA/transposeB
// than untransposed, and every backward matMul of a Dense layer is transposed. Transposing explicitly
// first (its own fast kernel) and then multiplying untransposed avoids that.
// For a·bᵀ with a few rows in a (a Dense layer's input gradient, dy·Wᵀ), (b·aᵀ)ᵀ moves less data:
// XNNPACK packs its second operand, so the big W is streamed instead of transposed and packed.
import * as tf from '@tensorflow/tfjs-core';
import type { WasmHeap } from './rawData';
import { gemmMatMul, swapLastTwo } from './gemmMatMul';
import { overrideKernel } from './registry';

export function registerTransposedMatMul(backend: string): void {
  if (!tf.getKernel('BatchMatMul', backend)) return;
  overrideKernel('BatchMatMul', backend, (stock) => (args) => {
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const inputs = args.inputs as unknown as { a: tf.Tensor; b: tf.Tensor };
    const ours = gemmMatMul(args.backend as unknown as WasmHeap, { a: inputs.a, b: inputs.b, transposeA: attrs.transposeA, transposeB: attrs.transposeB });
    if (ours) return ours;
    if (!attrs.transposeA && !attrs.transposeB) return stock!.kernelFunc(args);
    if (!attrs.transposeA && attrs.transposeB) {
      const [m, k] = inputs.a.shape.slice(-2);
      const n = inputs.b.shape[inputs.b.rank - 2];
      // Elements moved: transpose + pack b (2·n·k), or transpose a, pack aᵀ, transpose the result (2·m·k + n·m).
      if (2 * m * k + n * m < 2 * n * k) return tf.tidy(() => swapLastTwo(tf.matMul(inputs.b, swapLastTwo(inputs.a))));
    }
    const a = attrs.transposeA ? swapLastTwo(inputs.a) : inputs.a;
    const b = attrs.transposeB ? swapLastTwo(inputs.b) : inputs.b;
    try {
      return stock!.kernelFunc({ ...args, inputs: { a, b }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      if (a !== inputs.a) a.dispose();
      if (b !== inputs.b) b.dispose();
    }
  });
}
