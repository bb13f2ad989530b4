// Test set-up shared by the kernel tests: tfjs-wasm started from the package's own .wasm files, our
// training kernels registered on wasm (and on cpu when asked), and the cpu backend left current.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { registerTrainingKernels } from '@model-lens/tfjs-training-kernels';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export async function startWasmWithOurKernels(alsoOnCpu = true): Promise<void> {
  tf.env().set('PROD', true);
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
  assert.ok(await tf.setBackend('wasm'), 'the wasm backend must start for these tests');
  await tf.ready();
  registerTrainingKernels('wasm');
  assert.ok(await tf.setBackend('cpu'));
  if (alsoOnCpu) registerTrainingKernels('cpu');
}
