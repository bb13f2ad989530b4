// The wasm backend on tfjs-wasm's threaded build (our loader: Node's worker_threads from a real
// worker file) trains exactly as the single-threaded build does, our kernels included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { startThreadedWasm, threadPools, wasmThreadCount } from '../../src/trainer/wasmThreads';
import { startWasmWithOurKernels } from '../helpers/wasmKernels';
import { example } from '../helpers/fixtures';
import { runCli } from '../helpers/runCli';

const trainLines = (threads: string[], file: string) => {
  const r = runCli(['train', example(file), '--epochs', '1', '--limit', '96', '--batch-size', '16', '--backend', 'wasm', ...threads],
    { timeoutMs: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  return { backend: r.stdout.split('\n').find((l) => l.startsWith('Backend:')) ?? '', epoch: r.stdout.split('\n').find((l) => l.startsWith('Epoch [')) ?? '' };
};

describe('how many threads the wasm backend runs', () => {
  it('unset or 0 asks for all cores on a machine of one or two, one left free above that; N asks for N', () => {
    assert.equal(wasmThreadCount(2, undefined), 2);
    assert.equal(wasmThreadCount(8, undefined), 7);
    assert.equal(wasmThreadCount(1, 0), 1);
    assert.equal(wasmThreadCount(2, 0), 2);
    assert.equal(wasmThreadCount(8, 0), 7);
    assert.equal(wasmThreadCount(8, 3), 3);
  });

  it('gives the threads to one pool: ours when our loops fuse multiply-adds, else XNNPACK\'s; MODEL_LENS_KERNEL_THREADS decides', () => {
    assert.deepEqual(threadPools(2, true, {}), { ours: 2, xnnpack: 1 });
    assert.deepEqual(threadPools(7, true, {}), { ours: 7, xnnpack: 1 });
    assert.deepEqual(threadPools(2, false, {}), { ours: 1, xnnpack: 2 });
    assert.deepEqual(threadPools(4, true, { MODEL_LENS_KERNEL_THREADS: '1' }), { ours: 1, xnnpack: 4 });
    assert.deepEqual(threadPools(2, false, { MODEL_LENS_KERNEL_THREADS: '2' }), { ours: 2, xnnpack: 1 });
    assert.deepEqual(threadPools(2, true, { MODEL_LENS_KERNEL_THREADS: '8' }), { ours: 2, xnnpack: 1 });
    assert.deepEqual(threadPools(4, true, { MODEL_LENS_KERNEL_THREADS: 'many' }), { ours: 4, xnnpack: 1 });
  });
});

describe('a process that already runs the single-threaded build', () => {
  it('keeps it, saying why, instead of swapping the module under its tensors', async () => {
    await startWasmWithOurKernels(false);
    await tf.setBackend('wasm');
    const x = tf.tensor([1, -2, 3]);
    assert.match(await startThreadedWasm(2) ?? '', /single-threaded build already runs/);
    assert.deepEqual(Array.from(tf.relu(x).dataSync()), [1, 0, 3]);
  });
});

describe('training on the threaded wasm build', () => {
  for (const file of ['mnist-mlp.ts', 'mnist-cnn.ts']) {
    it(`${file}: --threads 2 gives the epoch's losses and accuracies of the single-threaded build (--threads 1), and says so`, () => {
      const two = trainLines(['--threads', '2'], file);
      const one = trainLines(['--threads', '1'], file);
      assert.match(two.backend, /wasm \(2 threads\)/);
      assert.doesNotMatch(one.backend, /threads/);
      const figures = (line: string) => line.replace(/Time: .*$/, '');
      assert.ok(figures(one.epoch).includes('Train Loss'), one.epoch);
      assert.equal(figures(two.epoch), figures(one.epoch));
    });
  }
  it('a seeded CNN run on 2 threads gives every batch the same loss, to the last bit, run after run', () => {
    const losses = () => {
      const r = runCli(['train', example('mnist-cnn.ts'), '--epochs', '1', '--limit', '96', '--batch-size', '16', '--backend', 'wasm', '--threads', '2', '--json'],
        { timeoutMs: 240_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; metrics?: { loss?: number } })
        .filter((m) => m.type === 'batch').map((m) => m.metrics?.loss);
    };
    const first = losses();
    assert.equal(first.length, 6);
    assert.ok(first.every((l) => typeof l === 'number'), String(first));
    assert.deepEqual(losses(), first);
  });
});
