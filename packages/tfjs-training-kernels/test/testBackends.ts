// What the kernel tests share: tfjs-wasm started from the npm package's own .wasm files with our
// kernels registered (on cpu too when asked), the cpu backend left current as the reference, and
// seeded test data.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels } from '../src/index';

export async function startWasmWithOurKernels(alsoOnCpu = true): Promise<void> {
  tf.env().set('PROD', true);
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
  assert.ok(await tf.setBackend('wasm'), 'the wasm backend must start for these tests');
  await tf.ready();
  registerTrainingKernels('wasm');
  assert.ok(await tf.setBackend('cpu'));
  if (alsoOnCpu) registerTrainingKernels('cpu');
}

/** mulberry32: numbers uniformly in [0, 1), the same for the same seed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
