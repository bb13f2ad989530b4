import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { arraysSource, type ArraysData, type ArraysContext } from '../../src/data/codeArrays';
import { collectBatches } from '../../src/data/dataSource';
import { UserError } from '../../src/model/userError';

const classification: ArraysContext = { task: 'classification', seed: 1 };

async function rejectsWith(data: ArraysData | (() => ArraysData), pattern: RegExp, context: ArraysContext = classification): Promise<void> {
  await assert.rejects(arraysSource(data, context), (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

describe('arrays from code: nested arrays and typed arrays as a DataSource', () => {
  it('reads nested arrays of any depth as samples of that shape, in order for the test split', async () => {
    const x = [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]];
    const source = await arraysSource(() => ({ train: { x, y: [0, 1, 2] }, test: { x: [[[0, 0], [0, 1]]], y: [2] } }), classification);
    assert.deepEqual(source.inputShape, [2, 2]);
    assert.deepEqual([source.trainCount, source.testCount], [3, 1]);
    assert.deepEqual(source.task, { kind: 'classification', classNames: ['0', '1', '2'] });
    const [test] = await collectBatches(source.testBatches(10));
    assert.deepEqual([...test.inputs], [0, 0, 0, 1]);
    const [train] = await collectBatches(source.trainBatches(1, 3));
    assert.equal(train.kind, 'classification');
    if (train.kind !== 'classification') return;
    for (let i = 0; i < 3; i++) assert.equal(train.inputs[i * 4], 1 + 4 * train.labels[i], 'each sample keeps its label');
  });

  it('takes an async function, arrays of Float32Array samples, and class names as labels (sorted)', async () => {
    const source = await arraysSource(async () => ({
      train: { x: [Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6)], y: ['dog', 'cat'] },
    }), classification);
    assert.deepEqual(source.inputShape, [3]);
    assert.deepEqual(source.task, { kind: 'classification', classNames: ['cat', 'dog'] });
    const [batch] = await collectBatches(source.trainBatches(1, 2));
    if (batch.kind !== 'classification') return assert.fail('classification');
    for (let i = 0; i < 2; i++) assert.equal(batch.labels[i], batch.inputs[i * 3] === 1 ? 1 : 0);
  });

  it('reads one-hot rows as class indices, and a flat typed array as equal slices', async () => {
    const source = await arraysSource({ train: { x: Float32Array.of(1, 2, 3, 4, 5, 6), y: [[0, 1], [1, 0], [0, 1]] } }, classification);
    assert.deepEqual(source.inputShape, [2]);
    const [batch] = await collectBatches(source.trainBatches(1, 3));
    if (batch.kind !== 'classification') return assert.fail('classification');
    for (let i = 0; i < 3; i++) assert.equal(batch.labels[i], batch.inputs[i * 2] === 3 ? 0 : 1);
  });

  it('reads a [n, 1] label column (one sigmoid unit\'s shape) as class indices, not as one-hot rows', async () => {
    const source = await arraysSource({ train: { x: [[0], [1], [2]], y: [[0], [1], [1]] }, test: { x: [[5]], y: Int32Array.of(1) } }, classification);
    assert.deepEqual(source.task, { kind: 'classification', classNames: ['0', '1'] });
    const [batch] = await collectBatches(source.trainBatches(1, 3));
    if (batch.kind !== 'classification') return assert.fail('classification');
    for (let i = 0; i < 3; i++) assert.equal(batch.labels[i], batch.inputs[i] === 0 ? 0 : 1, 'a [1] row is class 1');
    await rejectsWith({ train: { x: [[0], [1]], y: [[0], [0.5]] } }, /train\.y\[1\] is \[0\.5\]: a class is a whole number from 0/);
    const regression = await arraysSource({ train: { x: [[0], [1]], y: [[0.25], [-3]] } }, { task: 'regression', seed: 0 });
    assert.deepEqual(regression.task, { kind: 'regression', targetNames: ['y'] });
  });

  it('--limit keeps a seeded random subset of train, the same for the same seed; --test-limit the first test samples', async () => {
    const x = Array.from({ length: 100 }, (_, i) => [i]);
    const y = Array.from({ length: 100 }, (_, i) => i % 3);
    const kept = async (seed: number) => {
      const source = await arraysSource({ train: { x, y }, test: { x, y } }, { ...classification, seed, limit: 10, testLimit: 4 });
      assert.deepEqual([source.trainCount, source.testCount], [10, 4]);
      const [test] = await collectBatches(source.testBatches(100));
      assert.deepEqual([...test.inputs], [0, 1, 2, 3], 'the first test samples, in order');
      const [train] = await collectBatches(source.trainBatches(1, 100));
      if (train.kind !== 'classification') return assert.fail('classification');
      for (let i = 0; i < train.count; i++) assert.equal(train.labels[i], train.inputs[i] % 3, 'each sample keeps its label');
      return [...train.inputs].sort((a, b) => a - b);
    };
    const first = await kept(5);
    assert.deepEqual(await kept(5), first);
    assert.notDeepEqual(first, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'not the first samples');
    assert.notDeepEqual(await kept(6), first, 'another seed, another subset');
    const regression = await arraysSource({ train: { x, y: x } }, { task: 'regression', seed: 1, limit: 7 });
    const [batch] = await collectBatches(regression.trainBatches(1, 100));
    if (batch.kind !== 'regression') return assert.fail('regression');
    assert.deepEqual([...batch.targets], [...batch.inputs], 'targets stay with their inputs');
    assert.equal(batch.count, 7);
  });

  it('holds regression targets, one or several per sample', async () => {
    const one = await arraysSource({ train: { x: [[1], [2]], y: [0.5, -1.5] } }, { task: 'regression', seed: 0 });
    assert.deepEqual(one.task, { kind: 'regression', targetNames: ['y'] });
    const two = await arraysSource({ train: { x: [[1], [2]], y: [[1, 10], [2, 20]] } }, { task: 'regression', seed: 0 });
    assert.deepEqual(two.task, { kind: 'regression', targetNames: ['y1', 'y2'] });
    const [batch] = await collectBatches(two.trainBatches(1, 2));
    if (batch.kind !== 'regression') return assert.fail('regression');
    for (let i = 0; i < 2; i++) assert.deepEqual([...batch.targets.subarray(2 * i, 2 * i + 2)], [batch.inputs[i], 10 * batch.inputs[i]]);
  });
});

describe('arrays from code: errors say what does not fit', () => {
  it('counts that differ between x and y', async () => {
    await rejectsWith({ train: { x: Array.from({ length: 100 }, () => [1, 2]), y: Array.from({ length: 99 }, () => 0) } }, /^train\.x has 100 samples but train\.y has 99$/);
  });

  it('a sample shaped unlike the first, and a value that is not a number', async () => {
    await rejectsWith({ train: { x: [[1, 2], [3]], y: [0, 1] } }, /train\.x\[1\] should be an array of 2 entries \(as the first sample\), got an array of 1/);
    await rejectsWith({ train: { x: [[1, 2], [3, 'a']], y: [0, 1] } }, /train\.x\[1\]\[1\] is "a", not a finite number/);
    await rejectsWith({ train: { x: [[1, NaN]], y: [0] } }, /train\.x\[0\]\[1\] is NaN/);
  });

  it('test samples shaped unlike train, labels that are not classes, and a return value that is not { train }', async () => {
    await rejectsWith({ train: { x: [[1, 2]], y: [0] }, test: { x: [[1, 2, 3]], y: [0] } }, /test\.x samples are shaped \[3\] but train\.x samples \[2\]/);
    await rejectsWith({ train: { x: [[1], [2]], y: [0, 1.5] } }, /train\.y\[1\] is 1\.5: a class is a whole number from 0 or a name/);
    await rejectsWith(() => ({ x: [1] }) as unknown as ArraysData, /data\(\) must return \{ train: \{ x, y \}, test\?: \{ x, y \} \}/);
  });
});
