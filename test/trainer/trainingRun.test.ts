import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BatchMessage, TrainerMessage, TrainRequest } from '../../src/protocol/messages';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import { runTraining, type RunControl } from '../../src/trainer/trainingRun';
import { loadModelJson } from '../../src/model/modelJson';
import { example, fixture } from '../helpers/fixtures';

async function trainInProcess(request: TrainRequest, control: Partial<RunControl> = {}): Promise<TrainerMessage[]> {
  const messages: TrainerMessage[] = [];
  const full: RunControl = Object.assign(control, { stopRequested: false, ...control });
  await runTraining(request, (m) => messages.push(m), full);
  return messages;
}
const losses = (ms: TrainerMessage[]) => ms.filter((m): m is BatchMessage => m.type === 'batch').map((b) => b.metrics.loss);

describe('seeded runs', () => {
  it('give identical first 20 batch losses for the same seed and backend', async () => {
    const request: TrainRequest = { file: fixture('train/tiny-mlp.ts'), limit: 320, testLimit: 50, backend: 'cpu' };
    const a = losses(await trainInProcess(request)).slice(0, 20);
    const b = losses(await trainInProcess(request)).slice(0, 20);
    assert.equal(a.length, 20);
    assert.deepEqual(b, a);
  });
});

describe('named metrics', () => {
  it('batch, epoch and evaluation messages carry the vocabulary\'s names, each checked by the protocol', async () => {
    const messages = await trainInProcess({ file: fixture('train/tiny-mlp.ts'), epochs: 2, limit: 64, testLimit: 32, backend: 'cpu' });
    for (const m of messages) assert.ok(checkTrainerMessage(m).ok, JSON.stringify(checkTrainerMessage(m)));
    const batches = messages.filter((m) => m.type === 'batch');
    assert.ok(batches.length > 0);
    for (const b of batches) {
      assert.deepEqual(Object.keys(b.metrics).sort(), ['accuracy', 'loss']);
      assert.ok(b.metrics.accuracy >= 0 && b.metrics.accuracy <= 1);
    }
    const epochs = messages.filter((m) => m.type === 'epochEnd');
    assert.equal(epochs.length, 2);
    for (const e of epochs) {
      assert.deepEqual(Object.keys(e.metrics).sort(), ['accuracy', 'loss']);
      assert.deepEqual(Object.keys(e.test ?? {}).sort(), ['accuracy', 'loss'], 'the test split\'s figures under test');
      assert.equal(e.val, undefined, 'an experiment has no validation split');
    }
    const evaluation = messages.filter((m) => m.type === 'evaluation').at(-1);
    assert.deepEqual(evaluation?.type === 'evaluation' && evaluation.test, epochs[1].test);
    // the epoch's training loss is the mean of its batches' losses, weighted by their sizes (equal here)
    const second = batches.filter((b) => b.epoch === 2).map((b) => b.metrics.loss);
    assert.ok(Math.abs(epochs[1].metrics.loss - second.reduce((a, v) => a + v, 0) / second.length) < 1e-6);
  });
});

describe('custom scalars', () => {
  it('an experiment\'s lens.log and globalThis.modelLens.log become scalars messages, and the global is gone after the run', async () => {
    const messages = await trainInProcess({ file: fixture('train/scalars.ts'), backend: 'cpu' });
    assert.equal(messages.at(-1)?.type === 'done' && messages.at(-1)?.type, 'done');
    const scalars = messages.filter((m) => m.type === 'scalars');
    assert.deepEqual(scalars.map((m) => m.values), [{ widthUsed: 8 }, { fromGlobal: 2 }]);
    assert.deepEqual(scalars.map((m) => m.step), [1, 2], 'before the first step, calls are counted');
    assert.equal(globalThis.modelLens, undefined);
  });
});

describe('tensor memory', () => {
  it('holds tf.memory().numTensors flat between step 10 and step 200', async () => {
    const counts = new Map<number, number>();
    await trainInProcess({ file: fixture('train/tiny-mlp.ts'), limit: 16 * 200, testLimit: 50, backend: 'cpu' }, {
      onStep: (step) => { if (step === 10 || step === 200) counts.set(step, tf.memory().numTensors); },
    });
    assert.equal(counts.size, 2);
    assert.equal(counts.get(200), counts.get(10));
  });
});

describe('frozen layers', () => {
  it('keep their weights byte-identical through training while the others change', async () => {
    let model: tf.LayersModel | null = null;
    const before = new Map<string, Uint8Array>();
    await trainInProcess({ file: fixture('train/frozen-spiral.ts'), backend: 'cpu' }, {
      onModel: (m) => {
        model = m;
        for (const w of m.weights) before.set(w.name, new Uint8Array(w.read().dataSync().slice().buffer));
      },
    });
    assert.ok(model);
    for (const w of (model as tf.LayersModel).weights) {
      const after = new Uint8Array(w.read().dataSync().slice().buffer);
      if (w.name.startsWith('frozen_hidden/')) assert.deepEqual(after, before.get(w.name), w.name);
      else if (w.name.endsWith('kernel')) assert.notDeepEqual(after, before.get(w.name), w.name);
    }
  });
});

describe('the CNN on the wasm backend', () => {
  it('trains (falling loss) and starts from the cpu backend’s first-step loss within 1e-4', async () => {
    const request: TrainRequest = { file: example('mnist-cnn.ts'), limit: 2000, testLimit: 200, epochs: 1 };
    const wasm = await trainInProcess({ ...request, backend: 'wasm' });
    const ready = wasm.find((m) => m.type === 'ready');
    assert.equal(ready?.type === 'ready' && ready.backend, 'wasm');
    const wasmLosses = losses(wasm);
    // Same data and seed on cpu, stopped after its first step: the first loss is the same forward pass.
    const control: Partial<RunControl> = {};
    control.onStep = () => { control.stopRequested = true; };
    const cpuFirst = losses(await trainInProcess({ ...request, backend: 'cpu' }, control))[0];
    assert.ok(Math.abs(wasmLosses[0] - cpuFirst) < 1e-4, `${wasmLosses[0]} vs ${cpuFirst}`);
    const head = wasmLosses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const tail = wasmLosses.slice(-5).reduce((a, b) => a + b) / 5;
    assert.ok(tail < head * 0.7, `loss ${head} → ${tail}`);
  });
});

describe('--save', () => {
  it('writes a model.json and weights that load back with the trained values', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-save-'));
    let trained: tf.LayersModel | null = null;
    const ms = await trainInProcess({ file: fixture('train/frozen-spiral.ts'), backend: 'cpu', epochs: 1, save: dir }, { onModel: (m) => { trained = m; } });
    const done = ms.find((m) => m.type === 'done');
    assert.equal(done?.type === 'done' && done.savedTo, path.join(dir, 'model.json'));
    const loaded = await loadModelJson(path.join(dir, 'model.json'));
    assert.deepEqual(loaded.getWeights().map((w) => Array.from(w.dataSync())), (trained as unknown as tf.LayersModel).getWeights().map((w) => Array.from(w.dataSync())));
  });
});
