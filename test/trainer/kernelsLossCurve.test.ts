// Training with our kernels on wasm follows the cpu backend step by step: the batch losses of a
// 200-step MLP run (same seed, same data order) agree to 1e-3 at every step, and so do those of a
// shorter run of the course CNN's layers (Winograd Conv2D and conv backprop, MaxPoolGrad and bias
// sums all ours on wasm).
//
// The MLP is the course MLP's shape and optimizer (784-512-128-10, SGD lr 0.1) with tanh instead of
// ReLU. With ReLU, rounding differences of ~1e-7 between any two backends (stock tfjs-wasm as much as
// ours) now and then flip a unit whose input is within rounding of 0; SGD at lr 0.1 then amplifies
// that jump: the course MLP's curves part by >1e-3 after 40–130 steps on stock wasm too. With tanh
// they stay within ~4e-5 of each other for all 200 steps. The CNN has tanh for the same reason: with
// ReLU and Adam (which scales tiny gradients of rarely-active units up to full steps) the course CNN's
// curves agreed to ~1e-5 for 25 steps and then jumped to 1e-4–3e-3, both with Winograd F(4×4) and
// F(2×2) in the forward pass; with tanh they stay within ~1e-4 for 40 steps.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { activeOverrides, WINOGRAD_MIN_WORK } from '@model-lens/tfjs-training-kernels';
import type { BackendName, TrainerMessage } from '../../src/protocol/messages';
import { runTraining } from '../../src/trainer/trainingRun';
import { startWasmWithOurKernels } from '../helpers/wasmKernels';

const ROOT = path.resolve(__dirname, '..', '..', '..');

const MLP_TANH = `import * as tf from '@tensorflow/tfjs';
import { defineExperiment } from 'model-lens';
export default defineExperiment({
  name: 'MLP (tanh)',
  model: () => tf.sequential({ layers: [
    tf.layers.flatten({ inputShape: [28, 28, 1] }),
    tf.layers.dense({ units: 512, activation: 'tanh' }),
    tf.layers.dense({ units: 128, activation: 'tanh' }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] }),
  data: { dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 } },
  training: { seed: 2023, optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' },
});
`;

/** examples/mnist-cnn.ts's layers and optimizer with tanh instead of ReLU. */
const CNN_TANH = `import * as tf from '@tensorflow/tfjs';
import { defineExperiment } from 'model-lens';
export default defineExperiment({
  name: 'CNN (tanh)',
  model: () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'tanh' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'tanh' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 128, activation: 'tanh' }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] }),
  data: { dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 } },
  training: { seed: 2023, optimizer: { type: 'adam', learningRate: 0.001 }, loss: 'categoricalCrossentropy' },
});
`;

async function lossCurve(file: string, backend: BackendName, steps: number, batchSize: number): Promise<number[]> {
  const losses: number[] = [];
  const errors: string[] = [];
  let used = '';
  await runTraining(
    { file: path.isAbsolute(file) ? file : path.join(ROOT, file), epochs: 1, batchSize, limit: steps * batchSize, testLimit: batchSize, gradientEvery: Number.MAX_SAFE_INTEGER, backend },
    (m: TrainerMessage) => {
      if (m.type === 'batch') losses.push(m.metrics.loss);
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

/** The batch losses of `source` (an experiment file's text) on wasm and on cpu. */
async function curvesOf(source: string, steps: number, batchSize: number): Promise<{ wasm: number[]; cpu: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-curve-'));
  const file = path.join(dir, 'experiment.ts');
  fs.writeFileSync(file, source);
  try {
    return { wasm: await lossCurve(file, 'wasm', steps, batchSize), cpu: await lossCurve(file, 'cpu', steps, batchSize) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
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

before(() => startWasmWithOurKernels());

describe('loss curves on wasm (our kernels) and cpu agree', () => {
  it('an MLP 784-512-128-10, 200 steps of batch 32, SGD lr 0.1: every batch loss within 1e-3', async () => {
    for (const k of ['BatchMatMul', 'Sum']) assert.ok(activeOverrides('wasm').includes(k));
    const { wasm, cpu } = await curvesOf(MLP_TANH, 200, 32);
    assertSameCurve(wasm, cpu, 1e-3);
  });

  it('the course CNN\'s layers (tanh), 40 steps of batch 16, Adam: every batch loss within 1e-3', async () => {
    // Batch 16 puts the second convolution (16×11×11 outputs × 32 × 64) over WINOGRAD_MIN_WORK.
    for (const k of ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']) assert.ok(activeOverrides('wasm').includes(k));
    assert.ok(16 * 11 * 11 * 32 * 64 >= WINOGRAD_MIN_WORK);
    const { wasm, cpu } = await curvesOf(CNN_TANH, 40, 16);
    assertSameCurve(wasm, cpu, 1e-3);
  });
});
