// The webgpu backend through Dawn (npm `webgpu`). A machine without GPU runs it on Mesa's llvmpipe
// through Dawn's OpenGL backend (Debian: libegl1 libgl1-mesa-dri libgles2, see .ci/run): a software
// adapter, which `auto` passes over and `--backend webgpu` uses. Training on it must follow the
// cpu backend step for step; what it cannot find must be said in one line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendName, LayerGradient, TrainerMessage } from '../../src/protocol/messages';
import { runTraining } from '../../src/trainer/trainingRun';
import { example } from '../helpers/fixtures';
import { runCli } from '../helpers/runCli';

interface RunRecord {
  losses: number[];
  gradients: LayerGradient[][];
  messages: TrainerMessage[];
  tensorsAfterStep: number[];
}

async function train(file: string, backend: BackendName, steps: number, batchSize: number, gradientEvery: number,
  onStep?: (step: number) => void): Promise<RunRecord> {
  const record: RunRecord = { losses: [], gradients: [], messages: [], tensorsAfterStep: [] };
  await runTraining(
    { file, epochs: 1, batchSize, limit: steps * batchSize, testLimit: batchSize, gradientEvery, backend },
    (m) => {
      record.messages.push(m);
      if (m.type === 'batch') record.losses.push(m.metrics.loss);
      if (m.type === 'gradients') record.gradients.push(m.layers);
    },
    { stopRequested: false, onStep: (s) => { record.tensorsAfterStep.push(tf.memory().numTensors); onStep?.(s); } },
  );
  const errors = record.messages.filter((m) => m.type === 'error');
  assert.deepEqual(errors, [], 'the run reported an error');
  return record;
}

function backendOf(record: RunRecord): string | undefined {
  const ready = record.messages.find((m) => m.type === 'ready');
  return ready?.type === 'ready' ? ready.backend : undefined;
}

function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  expected.forEach((e, i) => {
    assert.ok(Math.abs(actual[i] - e) <= tolerance, `${what}[${i}]: webgpu ${actual[i]}, cpu ${e} (tolerance ${tolerance})`);
  });
}

/** Every figure of every sampled step, in one flat list (a frozen layer's nulls left out). */
function figureValues(gradients: LayerGradient[][]): number[] {
  return gradients.flatMap((layers) => layers.flatMap((l) => [l.l2, l.meanAbs, l.maxAbs, l.updateRatio].filter((v): v is number => v !== null)));
}

describe('training on webgpu (llvmpipe through Dawn\'s OpenGL backend) follows cpu', () => {
  it('the course MLP: the first 20 batch losses equal cpu\'s within 1e-4, with tensors flat across steps', async () => {
    const gpu = await train(example('mnist-mlp.ts'), 'webgpu', 20, 128, Number.MAX_SAFE_INTEGER);
    const cpu = await train(example('mnist-mlp.ts'), 'cpu', 20, 128, Number.MAX_SAFE_INTEGER);
    assert.equal(backendOf(gpu), 'webgpu');
    assertClose(gpu.losses, cpu.losses, 1e-4, 'loss');
    assert.ok(cpu.losses[19] < cpu.losses[0], 'the loss went down, so agreement is not cheap');
    const steady = gpu.tensorsAfterStep.slice(2);
    assert.ok(steady.every((n) => n === steady[0]), `tensors per step: ${gpu.tensorsAfterStep.join(' ')}`);
  });

  it('the course CNN, batch 8: the first 5 batch losses equal cpu\'s within 1e-4', async () => {
    const gpu = await train(example('mnist-cnn.ts'), 'webgpu', 5, 8, Number.MAX_SAFE_INTEGER);
    const cpu = await train(example('mnist-cnn.ts'), 'cpu', 5, 8, Number.MAX_SAFE_INTEGER);
    assert.equal(backendOf(gpu), 'webgpu');
    assertClose(gpu.losses, cpu.losses, 1e-4, 'loss');
  });

  it('the step trace (forward, loss, backward, update of one sample) equals cpu\'s within 1e-4', async () => {
    const traceOn = async (backend: BackendName) => {
      const messages: TrainerMessage[] = [];
      await runTraining({ file: example('mnist-mlp.ts'), epochs: 1, batchSize: 16, limit: 48, testLimit: 16, gradientEvery: 1, backend, traceStep: 2, traceSample: 3 },
        (m) => messages.push(m), { stopRequested: false });
      const trace = messages.find((m) => m.type === 'trace');
      assert.ok(trace?.type === 'trace', `${backend}: ${JSON.stringify(messages.filter((m) => m.type === 'error'))}`);
      return trace;
    };
    const gpu = await traceOn('webgpu');
    const cpu = await traceOn('cpu');
    const figures = (t: typeof gpu) => [t.loss.value, ...t.loss.outputGradient, ...t.layers.flatMap((l) => [
      l.input.l2, l.output.mean, l.output.l2, l.dOutput.l2, l.dInput.l2,
      ...l.weights.flatMap((w) => [w.before.l2, w.sampleGrad.l2, w.batchGrad.l2, w.delta.l2, w.after.l2])])];
    assert.equal(gpu.layers.length, cpu.layers.length);
    assert.ok(cpu.layers.filter((l) => l.weights.length > 0).length >= 3, 'the three Dense layers traced with their weights');
    assertClose(figures(gpu), figures(cpu), 1e-4, 'trace');
  });

  it('gradient figures (L2, mean |g|, max |g|, update ratio) and histograms of every step equal cpu\'s within 1e-4', async () => {
    const gpu = await train(example('mnist-mlp.ts'), 'webgpu', 4, 32, 1);
    const cpu = await train(example('mnist-mlp.ts'), 'cpu', 4, 32, 1);
    assert.equal(gpu.gradients.length, 4);
    const values = figureValues(cpu.gradients);
    assert.ok(values.length >= 4 * 3 * 4 && values.every((v) => v > 0), 'every layer has figures');
    assertClose(figureValues(gpu.gradients), values, 1e-4, 'figure');
    const histogramOf = (r: RunRecord) => r.gradients[0].map((l) => l.histogram?.counts.reduce((a, b) => a + b, 0));
    assert.deepEqual(histogramOf(gpu), histogramOf(cpu), 'step 1 carries histograms over every gradient value');
    assert.deepEqual(histogramOf(cpu), [784 * 512 + 512, 512 * 128 + 128, 128 * 10 + 10]);
  });

  it('a device lost mid-run: the run goes on on the next backend from the host copy and says so', async () => {
    const run = await train(example('mnist-mlp.ts'), 'webgpu', 6, 32, Number.MAX_SAFE_INTEGER, (step) => {
      if (step === 3) (tf.findBackend('webgpu') as unknown as { device: { destroy(): void } }).device.destroy();
    });
    const notices = run.messages.filter((m) => m.type === 'log' && m.level === 'warn').map((m) => (m.type === 'log' ? m.message : ''));
    assert.equal(notices.length, 1);
    assert.match(notices[0], /the GPU device was lost at step 4 .*; training goes on on wasm from its weights before step 1/);
    const readies = run.messages.filter((m) => m.type === 'ready').map((m) => (m.type === 'ready' ? m.backend : ''));
    assert.deepEqual(readies, ['webgpu', 'wasm']);
    assert.equal(run.losses.length, 5, 'steps 1-3 on the GPU, step 4 lost with it, 5-6 on wasm');
    assert.ok(run.losses.every(Number.isFinite));
    const done = run.messages.at(-1);
    assert.equal(done?.type === 'done' && done.reason, 'completed');
  });
});

/** A Dawn that finds no adapter: only Vulkan asked, and no Vulkan driver where the loader looks. */
const NO_ADAPTER = { MODEL_LENS_DAWN_BACKENDS: 'vulkan', VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' };
const trainArgs = (backend: string) => ['train', example('mnist-mlp.ts'), '--epochs', '1', '--limit', '64', '--batch-size', '32', '--backend', backend];

describe('choosing webgpu: what auto and --backend webgpu do without a GPU', () => {
  it('with no adapter at all, auto falls back to wasm and says why in one line', () => {
    const r = runCli(trainArgs('auto'), { env: NO_ADAPTER, timeoutMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.startsWith('Backend:')) ?? '';
    assert.match(line, /^Backend: wasm \(.*webgpu: no WebGPU adapter: Dawn found none through vulkan; using wasm(?: \(\d+ threads\))?\)/);
  });

  it('with no adapter at all, --backend webgpu fails with that reason', () => {
    const r = runCli(trainArgs('webgpu'), { env: NO_ADAPTER, timeoutMs: 120_000 });
    assert.notEqual(r.status, 0);
    const said = r.stdout + r.stderr;
    assert.match(said, /the webgpu backend is not available: no WebGPU adapter: Dawn found none through vulkan/);
    assert.doesNotMatch(said, /\n\s+at .*\.(js|ts):\d+/, 'no stack trace of ours (Dawn prints its own C++ warnings)');
  });

  it('auto passes a software adapter (llvmpipe) over, naming it; --backend webgpu trains on it', () => {
    const software = { MODEL_LENS_DAWN_BACKENDS: 'opengl', LIBGL_ALWAYS_SOFTWARE: '1' };
    const auto = runCli(trainArgs('auto'), { env: software, timeoutMs: 120_000 });
    assert.equal(auto.status, 0, auto.stderr);
    assert.match(auto.stdout, /^Backend: wasm \(.*webgpu: only a software adapter, llvmpipe.*, which is slower than wasm \(--backend webgpu uses it\); using wasm(?: \(\d+ threads\))?\)/m);
    const byName = runCli(trainArgs('webgpu'), { env: software, timeoutMs: 180_000 });
    assert.equal(byName.status, 0, byName.stderr);
    assert.match(byName.stdout, /^Backend: webgpu \(webgpu on llvmpipe.* was requested\)/m);
  });
});

describe('a script on webgpu', () => {
  it('that reads a tensor synchronously is told to read it with await data(), at its line, not with tfjs\'s OffscreenCanvas error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-webgpu-script-'));
    const script = path.join(dir, 'sync-read.ts');
    fs.writeFileSync(script, [
      "import * as tf from '@tensorflow/tfjs';",
      'const xs = tf.randomNormal([16, 4]);',
      "console.log('mean', xs.mean().dataSync()[0]);",
      '',
    ].join('\n'));
    const r = runCli(['run', script, '--backend', 'webgpu'], { env: { MODEL_LENS_DAWN_BACKENDS: 'opengl', LIBGL_ALWAYS_SOFTWARE: '1' }, timeoutMs: 180_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: the script read a tensor synchronously .*webgpu`));
    assert.match(r.stderr, /await tensor\.data\(\)/);
    assert.doesNotMatch(r.stderr, /OffscreenCanvas/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/** The files a CLI run (and any process it starts) loaded through require, by a preload of NODE_OPTIONS. */
function loadedFiles(args: string[], env: NodeJS.ProcessEnv): { status: number | null; files: string[]; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-loaded-'));
  const out = path.join(dir, 'loaded.txt');
  const preload = path.join(dir, 'preload.js');
  fs.writeFileSync(preload, `process.on('exit', () => require('fs').appendFileSync(${JSON.stringify(out)}, Object.keys(require.cache).join('\\n') + '\\n'));`);
  try {
    const r = runCli(args, { env: { ...env, NODE_OPTIONS: `--require ${preload}` }, timeoutMs: 180_000 });
    return { status: r.status, files: fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n').filter(Boolean) : [], stderr: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the webgpu backend\'s own bundle (dist/tfjsWebgpu.js)', () => {
  it('is loaded only when training runs on webgpu: not by a run that auto puts on wasm, by one with --backend webgpu', () => {
    const software = { MODEL_LENS_DAWN_BACKENDS: 'opengl', LIBGL_ALWAYS_SOFTWARE: '1' };
    const isBundle = (f: string) => path.basename(f) === 'tfjsWebgpu.js';
    const auto = loadedFiles(trainArgs('auto'), software);
    assert.equal(auto.status, 0, auto.stderr);
    assert.ok(auto.files.some((f) => path.basename(f) === 'cli.js'), 'the preload saw the CLI');
    assert.deepEqual(auto.files.filter(isBundle), []);
    const byName = loadedFiles(trainArgs('webgpu'), software);
    assert.equal(byName.status, 0, byName.stderr);
    assert.equal(byName.files.filter(isBundle).length, 1, byName.files.join('\n'));
  });
});

