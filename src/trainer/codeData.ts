// The experiment's own `data: () => ...` (sync or async): `{ train: { x, y }, test?: { x, y } }` with
// tensors or nested arrays, or `{ train: tf.data.Dataset, test?: tf.data.Dataset }` (or a Dataset
// alone) whose elements are `{ xs, ys }`, batched or not.
import * as tf from '@tensorflow/tfjs';
import { arraysSource, type ArraysData } from '../data/codeArrays';
import type { Batch, DataSource, DataTask, TaskKind } from '../data/dataSource';
import { batchDisplay } from '../data/sampleDisplay';
import { deriveSeed, randomSubset } from '../data/seededRandom';
import { UserError } from '../model/userError';

export interface CodeDataContext {
  task: TaskKind;
  seed: number;
  /** The model's output units: a Dataset's classes (one unit: a binary loss's two). */
  outputs: number;
  batchSize: number;
  /** The rank of one sample as the model reads it (its input's rank without the batch axis). */
  sampleRank: number;
  /** training.stepsPerEpoch: needed when a Dataset's size is unknown or infinite. */
  stepsPerEpoch?: number;
  /** --limit / --test-limit in samples: a seeded random subset of train, the first test samples. */
  limit?: number;
  testLimit?: number;
  /** Runs the user's code (data(), a dataset's first element) under the parent's build timeout. */
  timed?: <T>(work: () => Promise<T>) => Promise<T>;
}

type TfDataset = tf.data.Dataset<tf.TensorContainer>;
const isDataset = (v: unknown): v is TfDataset =>
  typeof v === 'object' && v !== null && typeof (v as TfDataset).iterator === 'function' && 'size' in v;

export async function codeDataSource(data: () => unknown, context: CodeDataContext): Promise<DataSource> {
  const timed = context.timed ?? ((work) => work());
  let value: unknown;
  try {
    value = await timed(async () => await data());
  } catch (e) {
    throw UserError.atSetting(['data'], `data() failed: ${(e as Error)?.message ?? String(e)}`, 'Fix the error in the experiment\'s data function.');
  }
  if (isDataset(value)) value = { train: value };
  const given = value as { train?: unknown; test?: unknown } | null;
  if (given && isDataset(given.train)) {
    if (given.test !== undefined && !isDataset(given.test)) throw UserError.atSetting(['data'], 'data(): test must be a tf.data.Dataset when train is one');
    return datasetSource(given.train, given.test as TfDataset | undefined, { ...context, timed });
  }
  const arrays = await readTensors(given);
  return arraysSource(arrays as ArraysData, { task: context.task, seed: context.seed, limit: context.limit, testLimit: context.testLimit });
}

/** Tensors among x and y become nested arrays (and are disposed: data() made them for us). */
async function readTensors(value: { train?: unknown; test?: unknown } | null): Promise<unknown> {
  if (!value || typeof value !== 'object') return value;
  const split = async (s: unknown) => {
    if (!s || typeof s !== 'object') return s;
    const { x, y } = s as { x?: unknown; y?: unknown };
    return { x: await asArray(x), y: await asArray(y) };
  };
  return { train: await split(value.train), ...(value.test !== undefined ? { test: await split(value.test) } : {}) };
}

/** Read asynchronously: the webgpu backend has no synchronous read under Node. */
async function asArray(v: unknown): Promise<unknown> {
  if (!(v instanceof tf.Tensor)) return v;
  try {
    return await v.array();
  } finally {
    v.dispose();
  }
}

interface Element {
  xs: tf.Tensor;
  ys: tf.Tensor;
}

function elementOf(value: unknown, where: string): Element {
  const v = value as { xs?: unknown; ys?: unknown } | unknown[];
  const [xs, ys] = Array.isArray(v) ? v : [v?.xs, v?.ys];
  if (!(xs instanceof tf.Tensor) || !(ys instanceof tf.Tensor)) {
    throw UserError.atSetting(['data'], `${where}: each element must be { xs, ys } (or [xs, ys]) of tensors`, 'Map the dataset: ds.map(({ x, y }) => ({ xs: x, ys: y })).');
  }
  return { xs, ys };
}

/** A tf.data.Dataset as a DataSource: batches as the dataset gives them, their count from its size or stepsPerEpoch. */
async function datasetSource(trainGiven: TfDataset, testGiven: TfDataset | undefined, context: CodeDataContext & Required<Pick<CodeDataContext, 'timed'>>): Promise<DataSource> {
  // The dataset's first element runs the user's generator or map: timed as data() was.
  const peek = await context.timed(() => trainGiven.take(1).toArray());
  if (peek.length === 0) throw UserError.atSetting(['data'], 'data(): the training dataset is empty');
  const first = elementOf(peek[0], 'data(): the training dataset');
  // A dataset of single samples is batched here with training.batchSize; a batched one keeps its batches.
  const batched = first.xs.rank === context.sampleRank + 1;
  const inputShape = batched ? first.xs.shape.slice(1) : first.xs.shape;
  const batchOf = first.xs.shape[0];
  tf.dispose([first.xs, first.ys]);
  // Limits count samples; a batched dataset keeps whole batches (enough of them to hold `limit`).
  const elements = (samples: number) => Math.ceil(samples / (batched ? batchOf : 1));
  const notes: string[] = [];
  let trainSet = trainGiven;
  let trainSize = Number.isFinite(trainGiven.size) ? trainGiven.size : null;
  if (context.limit !== undefined && !(trainSize !== null && elements(context.limit) >= trainSize)) {
    const keep = elements(context.limit);
    if (trainSize !== null) {
      trainSet = pickElements(trainGiven, randomSubset(trainSize, keep, deriveSeed(context.seed, 0x11)));
    } else {
      // No size to draw from: the first ones, which make the epoch (no stepsPerEpoch needed).
      trainSet = trainGiven.take(keep);
      notes.push(`--limit kept the first ${keep} ${batched ? 'batches' : 'samples'} of the training dataset (its size is unknown, so not a random subset)`);
    }
    trainSize = keep;
  }
  const testSet = testGiven && context.testLimit !== undefined ? testGiven.take(elements(context.testLimit)) : testGiven;
  const train = batched ? trainSet : trainSet.batch(context.batchSize);
  const test = testSet ? (batched ? testSet : testSet.batch(context.batchSize)) : null;
  // Counted here: a subset's filter leaves tf.data without a size.
  const trainSteps = trainSize === null ? null : batched ? trainSize : Math.ceil(trainSize / context.batchSize);
  const known = trainSteps !== null && trainSteps > 0;
  const steps = context.stepsPerEpoch ?? (known ? trainSteps : null);
  if (steps === null) {
    throw UserError.atSetting(['training'], "the training dataset's size is unknown (or infinite), so an epoch has no end",
      'Give training.stepsPerEpoch: the number of batches in one epoch.');
  }
  if (test && !(Number.isFinite(test.size) || test.size === null)) throw UserError.atSetting(['data'], 'data(): the test dataset is infinite');
  const classes = context.task === 'classification' ? Math.max(2, context.outputs) : 0;
  const task: DataTask = context.task === 'classification'
    ? { kind: 'classification', classNames: Array.from({ length: classes }, (_, i) => String(i)) }
    : { kind: 'regression', targetNames: Array.from({ length: Math.max(1, context.outputs) }, (_, i) => (context.outputs <= 1 ? 'y' : `y${i + 1}`)) };

  let iterator: Awaited<ReturnType<TfDataset['iterator']>> | null = null;
  async function* trainBatches(): AsyncGenerator<Batch> {
    // A dataset of known size starts again each epoch; one of unknown size goes on where it stopped.
    if (known || !iterator) iterator = await train.iterator();
    for (let step = 0; step < steps!; step++) {
      let next = await iterator.next();
      if (next.done) {
        iterator = await train.iterator();
        next = await iterator.next();
        if (next.done) return;
      }
      yield await toBatch(next.value, task, 'data(): a training batch');
    }
  }
  async function* testBatches(): AsyncGenerator<Batch> {
    if (!test) return;
    const it = await test.iterator();
    for (let next = await it.next(); !next.done; next = await it.next()) yield await toBatch(next.value, task, 'data(): a test batch');
  }
  // Samples are counted only where the dataset knows its size and is not batched; otherwise the
  // counts are estimates and `sizes` says what is known (evaluation reads the test dataset whole anyway).
  const testSize = testSet && Number.isFinite(testSet.size) ? testSet.size : null;
  const trainCount = batched ? (trainSize ?? steps) * batchOf : trainSize ?? steps * context.batchSize;
  const testCount = !test ? 0 : testSize === null ? 1 : batched ? testSize * batchOf : testSize;
  const counted = (size: number | null, split: string, batchesOf: string) =>
    size === null ? `${split} of unknown size` : batched ? `${size} batch${size === 1 ? '' : 'es'}${batchesOf} ${split}` : `${size} ${split}`;
  const sizes = batched || trainSize === null || (test && testSize === null)
    ? `${counted(trainSize, 'train', ` of ${batchOf}`)}, ${test ? counted(testSize, 'test', '') : '0 test'}` : undefined;
  return {
    name: 'tf.data', source: 'code', inputShape, task, trainCount, testCount,
    batchesPerEpoch: steps, ...(batched ? { batchSize: batchOf } : {}), ...(sizes ? { sizes } : {}), featureNames: [], notes,
    trainBatches, testBatches,
    samples: async (count, split) => {
      // A fresh pass of one batch: the training pass's own iterator is left where it is.
      const from = split === 'train' ? train : test;
      const first = from ? await from.take(1).toArray() : [];
      if (first.length === 0) return { kind: 'rows', count: 0, columns: [], rows: [] };
      return batchDisplay(await toBatch(first[0], task, `data(): the ${split} dataset`), inputShape, task, [], count);
    },
    close: async () => {},
  };
}

/**
 * The elements `keep` (increasing indices) of `ds`: each pass reads it up to the last one kept and
 * drops the others (tf.data has no random access), so the subset is the same every epoch.
 */
function pickElements(ds: TfDataset, keep: Uint32Array): TfDataset {
  const wanted = new Set(keep);
  const last = keep.length > 0 ? keep[keep.length - 1] : -1;
  const index = tf.data.generator(function* () { for (let i = 0; i <= last; i++) yield i; });
  return tf.data.zip({ element: ds, index })
    .filter((e) => wanted.has((e as { index: number }).index))
    .map((e) => (e as { element: tf.TensorContainer }).element);
}

/** One batch's tensors as arrays (disposed after): class indices from indices or one-hot rows, or targets. */
async function toBatch(value: unknown, task: DataTask, where: string): Promise<Batch> {
  const { xs, ys } = elementOf(value, where);
  try {
    const count = xs.shape[0] ?? 1;
    const inputs = Float32Array.from(await xs.data());
    if (task.kind === 'regression') return { kind: 'regression', count, inputs, targets: Float32Array.from(await ys.data()) };
    const labels = ys.rank === 2 && ys.shape[1]! > 1 ? tf.tidy(() => tf.argMax(ys, -1)) : tf.reshape(ys, [-1]);
    const out = Int32Array.from(await labels.data());
    labels.dispose();
    return { kind: 'classification', count, inputs, labels: out };
  } finally {
    tf.dispose([xs, ys]);
  }
}
