// Approximate forward time per layer: measured on a small random batch, layer by layer, carried in
// the summary's rows (a group's is its layers' sum), bounded so a big model goes untimed, and
// leaving no tensor behind.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment } from '../../src/model/loadExperiment';
import { computeSummary } from '../../src/model/modelSummary';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import type { ModelMessage, TrainerMessage } from '../../src/protocol/messages';
import { layerForwardTimes, MAX_TIMED_SAMPLES, timedSampleCount, withForwardTimes } from '../../src/trainer/layerTimes';
import { runTraining } from '../../src/trainer/trainingRun';
import { fixture } from '../helpers/fixtures';

before(async () => { await initInspectionRuntime(); });

function cnn(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 3] });
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv_a' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'conv_b' }).apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(sum) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, name: 'head' }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'two_branch' });
}

describe('layer forward times', () => {
  it('times every layer call of a branching model with a non-negative figure, and frees every tensor it made', async () => {
    const model = cnn();
    const before = tf.memory().numTensors;
    const times = await layerForwardTimes(model, 4);
    assert.equal(tf.memory().numTensors, before, 'tensors left behind');
    assert.ok(times);
    const timedLayers = [...times.keys()].map((k) => k.split('\u0000')[0]).sort();
    assert.deepEqual(timedLayers, ['conv_a', 'conv_b', 'flat', 'head', 'sum']);
    for (const [key, ms] of times) assert.ok(Number.isFinite(ms) && ms >= 0, `${key}: ${ms}`);
  });

  it('puts the times on every layer row of the summary, the model row holding their sum, and says how many samples', async () => {
    const model = cnn();
    const options = { batchSize: 32 };
    const loaded = { model } as Parameters<typeof withForwardTimes>[0];
    const summary = await withForwardTimes(loaded, computeSummary(model, options), options, 'cpu');
    assert.equal(summary.timedSamples, MAX_TIMED_SAMPLES);
    const leaves = summary.layers.filter((r) => !r.isContainer);
    assert.equal(leaves.length, 5);
    for (const row of leaves) assert.ok(row.forwardMs !== undefined && row.forwardMs >= 0, `${row.name}: ${row.forwardMs}`);
    const total = leaves.reduce((n, r) => n + r.forwardMs!, 0);
    assert.ok(Math.abs(summary.layers[0].forwardMs! - total) < 1e-9, `model row ${summary.layers[0].forwardMs} vs ${total}`);
  });

  it('gives a helper group the sum of its layers’ times', async () => {
    const loaded = await loadExperiment(fixture('resnet18-helpers.ts'));
    const options = { batchSize: 1, depth: 10, stackOf: loaded.stackOf };
    const before = tf.memory().numTensors;
    // The wasm budget: one CIFAR ResNet-18 sample fits it (the cpu one would skip it).
    const summary = await withForwardTimes(loaded, computeSummary(loaded.model, options), options, 'wasm');
    assert.equal(tf.memory().numTensors, before, 'tensors left behind');
    assert.equal(summary.timedSamples, 1);
    const stage = summary.layers.find((r) => r.name === 'stage_2')!;
    const inside = summary.layers.filter((r) => !r.isContainer && isUnder(summary.layers, r.name, 'stage_2'));
    assert.ok(inside.length > 5, `${inside.length} layers in stage_2`);
    const sum = inside.reduce((n, r) => n + r.forwardMs!, 0);
    assert.ok(Math.abs(stage.forwardMs! - sum) < 1e-9, `stage_2 ${stage.forwardMs} vs its layers ${sum}`);
  });

  it('skips a model whose one sample costs more than a pass may, and times fewer samples than 8 when the batch is smaller', async () => {
    assert.equal(timedSampleCount(5e9, 128, 'wasm'), 0);
    assert.equal(timedSampleCount(5e9, 128, 'tensorflow'), 0);
    assert.equal(timedSampleCount(1e3, 3, 'cpu'), 3);
    assert.equal(timedSampleCount(1e3, 128, 'cpu'), MAX_TIMED_SAMPLES);
    assert.ok(timedSampleCount(1e8, 128, 'wasm') > timedSampleCount(1e8, 128, 'cpu'));
    const model = cnn();
    const options = { batchSize: 4 };
    const huge = { ...computeSummary(model, options) };
    huge.totals = { ...huge.totals, multAdds: 4 * 5e9 };
    const summary = await withForwardTimes({ model } as Parameters<typeof withForwardTimes>[0], huge, options, 'wasm');
    assert.equal(summary.timedSamples, undefined);
    assert.ok(summary.layers.every((r) => r.forwardMs === undefined));
  });
});

describe('layer forward times at the start of training', () => {
  it('come in the model message, one per layer, before step 1', async () => {
    const messages: TrainerMessage[] = [];
    await runTraining({ file: fixture('train/tiny-mlp.ts'), epochs: 1, limit: 32, testLimit: 16, backend: 'cpu' }, (m) => messages.push(m), { stopRequested: false });
    const model = messages.find((m): m is ModelMessage => m.type === 'model')!;
    assert.ok(messages.indexOf(model) < messages.findIndex((m) => m.type === 'batch'));
    assert.ok(model.summary.timedSamples !== undefined && model.summary.timedSamples >= 1);
    const leaves = model.summary.layers.filter((r) => !r.isContainer);
    assert.ok(leaves.length > 0);
    for (const row of leaves) assert.ok(row.forwardMs !== undefined && row.forwardMs >= 0, `${row.name}: ${row.forwardMs}`);
  });
});

function isUnder(rows: { name: string; parent: string | null }[], name: string, ancestor: string): boolean {
  let parent = rows.find((r) => r.name === name)?.parent ?? null;
  while (parent) {
    if (parent === ancestor) return true;
    parent = rows.find((r) => r.name === parent)?.parent ?? null;
  }
  return false;
}
