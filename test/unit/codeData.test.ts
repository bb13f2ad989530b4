// A tf.data.Dataset from data() as a DataSource: --limit and --test-limit on datasets of known and
// unknown size, batched or not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { collectBatches, type DataSource } from '../../src/data/dataSource';
import { codeDataSource, type CodeDataContext } from '../../src/trainer/codeData';

const context: CodeDataContext = { task: 'classification', seed: 3, outputs: 2, batchSize: 4, sampleRank: 1 };

/** Samples i = from..to-1 with xs [i] and the one-hot class i % 2. */
const samples = (from: number, to: number) => tf.data.array(Array.from({ length: to - from }, (_, k) => from + k))
  .map((i) => ({ xs: tf.tensor1d([i as number]), ys: tf.oneHot(tf.scalar(i as number % 2, 'int32'), 2) }));

async function inputsOf(batches: AsyncIterable<{ inputs: Float32Array }>): Promise<number[]> {
  const out: number[] = [];
  for await (const b of batches) out.push(...b.inputs);
  return out;
}

const epoch = (source: DataSource, n: number) => inputsOf(source.trainBatches(n, context.batchSize));

describe('tf.data from code: --limit and --test-limit', () => {
  it('keeps a seeded random subset of a dataset of known size, the same every epoch, and the first test samples', async () => {
    const source = await codeDataSource(() => ({ train: samples(0, 100), test: samples(100, 120) }), { ...context, limit: 10, testLimit: 6 });
    assert.equal(source.batchesPerEpoch, 3);
    const first = await epoch(source, 1);
    assert.equal(first.length, 10);
    assert.deepEqual(await epoch(source, 2), first, 'the same subset (and order) each epoch');
    assert.notDeepEqual(first, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'not the first samples');
    assert.deepEqual(first, [...first].sort((a, b) => a - b), 'read front to back');
    const other = await codeDataSource(() => ({ train: samples(0, 100) }), { ...context, seed: 4, limit: 10 });
    assert.notDeepEqual(await epoch(other, 1), first, 'another seed, another subset');
    assert.deepEqual(await inputsOf(source.testBatches(4)), [100, 101, 102, 103, 104, 105]);
    const [batch] = await collectBatches(source.trainBatches(1, 4));
    if (batch.kind !== 'classification') return assert.fail('classification');
    for (let i = 0; i < batch.count; i++) assert.equal(batch.labels[i], batch.inputs[i] % 2, 'labels stay with their samples');
  });

  it('keeps whole batches of a batched dataset, and the first samples of one of unknown size (with a note)', async () => {
    const batched = await codeDataSource(() => ({ train: samples(0, 50).batch(5) }), { ...context, limit: 12 });
    assert.equal(batched.batchesPerEpoch, 3, 'three batches of 5 hold 12 samples');
    assert.equal((await epoch(batched, 1)).length, 15);

    const endless = tf.data.generator(function* () { for (let i = 0; ; i++) yield { xs: tf.tensor1d([i]), ys: tf.oneHot(tf.scalar(i % 2, 'int32'), 2) }; });
    const unknown = await codeDataSource(() => ({ train: endless }), { ...context, limit: 6 });
    assert.equal(unknown.batchesPerEpoch, 2);
    assert.deepEqual(await epoch(unknown, 1), [0, 1, 2, 3, 4, 5]);
    assert.match(unknown.notes.join('\n'), /first 6 samples .* not a random subset/);
  });
});

describe('tf.data from code: the sizes reported', () => {
  it('counts the samples of an unbatched dataset of known size, and says what is known of the others', async () => {
    const known = await codeDataSource(() => ({ train: samples(0, 99), test: samples(100, 119) }), context);
    assert.deepEqual([known.trainCount, known.testCount, known.batchesPerEpoch, known.sizes, known.batchSize], [99, 19, 25, undefined, undefined]);

    const batched = await codeDataSource(() => ({ train: samples(0, 50).batch(5), test: samples(50, 60).batch(5) }), context);
    assert.equal(batched.sizes, '10 batches of 5 train, 2 batches test');
    assert.deepEqual([batched.batchesPerEpoch, batched.batchSize], [10, 5], 'its own batches, not training.batchSize');

    const endless = tf.data.generator(function* () { for (let i = 0; ; i++) yield { xs: tf.tensor1d([i]), ys: tf.oneHot(tf.scalar(i % 2, 'int32'), 2) }; });
    const unknown = await codeDataSource(() => ({ train: endless, test: tf.data.generator(function* () { yield { xs: tf.tensor1d([0]), ys: tf.oneHot(tf.scalar(0, 'int32'), 2) }; }) }),
      { ...context, stepsPerEpoch: 7 });
    assert.equal(unknown.sizes, 'train of unknown size, test of unknown size');
    assert.equal(unknown.batchesPerEpoch, 7);
  });
});
