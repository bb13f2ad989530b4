// Training with our kernels on wasm follows the cpu backend step by step: the batch losses of a
// 200-step run of the course MLP (same seed, same data order) agree to 1e-3 at every step, and so do
// those of a shorter CNN run (conv backprop, MaxPoolGrad and bias sums all ours on wasm).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName, TrainerMessage } from '../../src/protocol/messages';
import { activeOverrides, registerTrainingKernels } from '../../src/trainer/kernels';
import { runTraining } from '../../src/trainer/trainingRun';

const ROOT = path.resolve(__dirname, '..', '..', '..');

async function lossCurve(file: string, backend: BackendName, steps: number, batchSize: number): Promise<number[]> {
  const losses: number[] = [];
  const errors: string[] = [];
  let used = '';
  await runTraining(
    { file: path.join(ROOT, file), epochs: 1, batchSize, limit: steps * batchSize, testLimit: batchSize, gradientEvery: Number.MAX_SAFE_INTEGER, backend },
    (m: TrainerMessage) => {
      if (m.type === 'batch') losses.push(m.loss);
      if (m.type === 'ready') used = m.backend;
      if (m.type === 'error') errors.push(m.message);
    },
    { stopRequested: false },
  );
  assert.deepEqual(errors, []);
  assert.equal(used, backend);
  assert.equal(losses.length, steps);
  return losses;
}

function assertSameCurve(wasm: number[], cpu: number[], tolerance: number): void {
  let worst = 0;
  let worstStep = 0;
  for (let i = 0; i < cpu.length; i++) {
    const d = Math.abs(wasm[i] - cpu[i]);
    if (!(d <= worst)) {
      worst = d;
      worstStep = i + 1;
    }
  }
  assert.ok(worst <= tolerance, `largest loss difference ${worst.toExponential(2)} at step ${worstStep} (wasm ${wasm[worstStep - 1]}, cpu ${cpu[worstStep - 1]})`);
  // The run must actually learn, or agreement would be cheap.
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(cpu.slice(-20)) < 0.8 * mean(cpu.slice(0, 20)), 'the loss did not go down');
}

before(async () => {
  tf.env().set('PROD', true);
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
  assert.ok(await tf.setBackend('wasm'));
  await tf.ready();
  registerTrainingKernels('wasm');
  assert.ok(await tf.setBackend('cpu'));
  registerTrainingKernels('cpu');
});

describe('loss curves on wasm (our kernels) and cpu agree', () => {
  it('the course MLP, 200 steps of batch 32, SGD: every batch loss within 1e-3', async () => {
    assert.ok(activeOverrides('wasm').includes('BatchMatMul'));
    const wasm = await lossCurve('examples/mnist-mlp.ts', 'wasm', 200, 32);
    const cpu = await lossCurve('examples/mnist-mlp.ts', 'cpu', 200, 32);
    assertSameCurve(wasm, cpu, 1e-3);
  });

  it('the course CNN, 40 steps of batch 16, Adam: every batch loss within 1e-3', async () => {
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']) assert.ok(activeOverrides('wasm').includes(k));
    const wasm = await lossCurve('examples/mnist-cnn.ts', 'wasm', 40, 16);
    const cpu = await lossCurve('examples/mnist-cnn.ts', 'cpu', 40, 16);
    assertSameCurve(wasm, cpu, 1e-3);
  });
});
