import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadDataset, type LoadedDataset } from '../../src/data/dataset';
import { collectBatches, type Batch } from '../../src/data/dataSource';
import { loadedDatasetSource, memorySource } from '../../src/data/memorySource';
import { createRandom, permutation } from '../../src/data/seededRandom';
import type { Split } from '../../src/data/dataset';

/** How the trainer gathered a batch before DataSources (kept here as the reference). */
function batchInputs(split: Split, inputShape: number[], indices: ArrayLike<number>): tf.Tensor {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) data.set(split.inputs.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
  return tf.tensor(data, [indices.length, ...inputShape]);
}

function batchLabels(split: Split, indices: ArrayLike<number>): Int32Array {
  return Int32Array.from(Array.from(indices, (i) => split.labels[i]));
}

/** The trainer's own batches (trainingRun.ts): one permutation per epoch from createRandom(seed + 1). */
function trainerBatches(data: LoadedDataset, seed: number, epochs: number, batchSize: number): { inputs: Float32Array; labels: Int32Array }[][] {
  const shuffle = createRandom(seed + 1);
  const out: { inputs: Float32Array; labels: Int32Array }[][] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = permutation(data.train.count, shuffle);
    const batches = [];
    for (let b = 0; b < Math.ceil(data.train.count / batchSize); b++) {
      const indices = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, data.train.count));
      const x = batchInputs(data.train, data.inputShape, indices);
      batches.push({ inputs: x.dataSync() as Float32Array, labels: batchLabels(data.train, indices) });
      x.dispose();
    }
    out.push(batches);
  }
  return out;
}

function assertSame(actual: Batch[], expected: { inputs: Float32Array; labels: Int32Array }[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: batch count`);
  actual.forEach((b, i) => {
    assert.equal(b.kind, 'classification');
    if (b.kind !== 'classification') return;
    assert.equal(b.count, expected[i].labels.length, `${what}: batch ${i} size`);
    assert.ok(Buffer.from(b.inputs.buffer, b.inputs.byteOffset, b.inputs.byteLength).equals(
      Buffer.from(expected[i].inputs.buffer, expected[i].inputs.byteOffset, expected[i].inputs.byteLength)), `${what}: batch ${i} inputs, bit for bit`);
    assert.deepEqual([...b.labels], [...expected[i].labels], `${what}: batch ${i} labels`);
  });
}

describe('in-memory sets as a DataSource: the trainer\'s batches, unchanged', () => {
  it('gives the course MNIST experiment\'s train batches bit for bit, epoch after epoch (seed 2023, normalize 0.5/0.5, batch 128)', async () => {
    const seed = 2023;
    const data = loadDataset({ dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 } }, { baseDir: __dirname, seed, limit: 3000, testLimit: 2500 });
    const source = loadedDatasetSource(data, seed);
    assert.equal(source.trainCount, 3000);
    assert.deepEqual(source.inputShape, [28, 28, 1]);
    assert.deepEqual(source.task, { kind: 'classification', classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    const expected = trainerBatches(data, seed, 3, 128);
    for (let epoch = 1; epoch <= 3; epoch++) assertSame(await collectBatches(source.trainBatches(epoch, 128)), expected[epoch - 1], `epoch ${epoch}`);
    assert.equal(tf.memory().numTensors, 0);
  });

  it('gives an epoch the same batches when asked again or out of turn', async () => {
    const data = loadDataset({ dataset: 'spiral', numSamples: 300 }, { baseDir: __dirname, seed: 5 });
    const source = loadedDatasetSource(data, 5);
    const expected = trainerBatches(data, 5, 4, 32);
    assertSame(await collectBatches(source.trainBatches(4, 32)), expected[3], 'epoch 4 first');
    assertSame(await collectBatches(source.trainBatches(2, 32)), expected[1], 'then epoch 2');
    assertSame(await collectBatches(source.trainBatches(2, 32)), expected[1], 'epoch 2 again');
    assertSame(await collectBatches(source.trainBatches(3, 32)), expected[2], 'then epoch 3');
  });

  it('gives the test split in order, in batches as the evaluation reads it', async () => {
    const data = loadDataset({ dataset: 'mnist' }, { baseDir: __dirname, seed: 1, limit: 100, testLimit: 2500 });
    const source = loadedDatasetSource(data, 1);
    const batches = await collectBatches(source.testBatches(1000));
    assert.deepEqual(batches.map((b) => b.count), [1000, 1000, 500]);
    const expected = [0, 1000, 2000].map((start) => {
      const indices = Array.from({ length: Math.min(1000, 2500 - start) }, (_, i) => start + i);
      const x = batchInputs(data.test, data.inputShape, indices);
      const out = { inputs: x.dataSync() as Float32Array, labels: batchLabels(data.test, indices) };
      x.dispose();
      return out;
    });
    assertSame(batches, expected, 'test');
  });

  it('shows the first images of either split as raw pixels with their labels, and other sets as rows of values and label', async () => {
    const mnist = loadDataset({ dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 } }, { baseDir: __dirname, seed: 1, limit: 50, testLimit: 40 });
    const unnormalised = (p: number) => Math.fround(Math.fround(Math.fround(p / 255) - 0.5) / 0.5);
    for (const split of ['train', 'test'] as const) {
      const shown = await loadedDatasetSource(mnist, 1).samples(32, split);
      assert.ok(shown.kind === 'images');
      assert.deepEqual([shown.count, shown.height, shown.width, shown.channels], [32, 28, 28, 1]);
      for (const k of [0, 31]) {
        assert.deepEqual([...shown.pixels.subarray(k * 784, (k + 1) * 784)].map(unnormalised),
          [...mnist[split].inputs.subarray(k * 784, (k + 1) * 784)], `${split} sample ${k}: pixels are its un-normalised inputs`);
      }
      assert.deepEqual([...shown.labels!], [...mnist[split].labels.subarray(0, 32)]);
    }
    const spiral = loadDataset({ dataset: 'spiral', numSamples: 100 }, { baseDir: __dirname, seed: 3 });
    const cell = (v: number) => String(Number(v.toPrecision(6)));
    for (const split of ['train', 'test'] as const) {
      const rows = await loadedDatasetSource(spiral, 3).samples(5, split);
      assert.ok(rows.kind === 'rows');
      assert.deepEqual(rows.columns, ['x1', 'x2', 'label']);
      const { inputs, labels } = spiral[split];
      assert.deepEqual(rows.rows[2], [cell(inputs[4]), cell(inputs[5]), spiral.classNames[labels[2]]]);
    }
  });

  it('shows image-shaped arrays from code as pixels: [0, 1] scaled to 0–255, others stretched per sample', async () => {
    const inputs = Float32Array.from([0, 0.5, 1, 0.25, -3, -1, 1, 5]);
    const source = memorySource({
      name: 'arrays', source: 'code', inputShape: [2, 2, 1], task: { kind: 'classification', classNames: ['a', 'b'] }, seed: 0,
      train: { count: 1, inputs: inputs.subarray(0, 4), labels: Int32Array.from([1]) },
      test: { count: 1, inputs: inputs.subarray(4), labels: Int32Array.from([0]) },
    });
    const train = await source.samples(8, 'train');
    const test = await source.samples(8, 'test');
    assert.ok(train.kind === 'images' && test.kind === 'images');
    assert.deepEqual([...train.pixels], [0, 128, 255, 64]);
    assert.deepEqual([...train.labels!], [1]);
    assert.deepEqual([...test.pixels], [0, 64, 128, 255]);
    assert.deepEqual([...test.labels!], [0]);
  });

  it('holds regression targets with several values per sample', async () => {
    const source = memorySource({
      name: 't', source: 'code', inputShape: [1], task: { kind: 'regression', targetNames: ['a', 'b'] }, seed: 0,
      train: { count: 3, inputs: Float32Array.from([10, 20, 30]), targets: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      test: { count: 0, inputs: new Float32Array(0), targets: new Float32Array(0) },
    });
    const [batch] = await collectBatches(source.trainBatches(1, 3));
    assert.equal(batch.kind, 'regression');
    if (batch.kind !== 'regression') return;
    for (let i = 0; i < 3; i++) {
      const sample: number = batch.inputs[i] / 10 - 1;
      assert.deepEqual([...batch.targets.subarray(2 * i, 2 * i + 2)], [2 * sample + 1, 2 * sample + 2], 'targets travel with their input');
    }
  });
});
