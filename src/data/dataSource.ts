// The one interface the trainer reads every kind of data through: bundled sets, CSV tables, image
// folders and arrays from the user's code. Everything the plan needs (counts, input shape, task) is
// known before the first step; the samples themselves arrive as batches of flat typed arrays.
//
//   const source = await openCsvSource(options);          // or imageFolderSource, memorySource, arraysSource
//   source.trainCount, source.inputShape, source.task     // exact: steps per epoch, OneCycle, ETA
//   for await (const batch of source.trainBatches(epoch, batchSize)) step(batch);   // seeded order per epoch
//   for await (const batch of source.testBatches(1000)) evaluate(batch);          // file order, every epoch the same
//   const shown = await source.samples(32, 'train');      // the first samples of a split, raw, for the Data view
//   await source.close();
//
// No tfjs here: the trainer makes tensors from the arrays (`tf.tensor(batch.inputs, [count, ...inputShape])`).

/** What the model learns: classes (cross-entropy) or numbers (MSE/MAE). */
export type DataTask =
  | { kind: 'classification'; classNames: string[] }
  | { kind: 'regression'; targetNames: string[] };

export type TaskKind = DataTask['kind'];

/** `count` samples, each `product(inputShape)` float32 inputs (NHWC for images), sample after sample. */
export type Batch =
  | { kind: 'classification'; count: number; inputs: Float32Array; labels: Int32Array }
  /** `targets` holds `count × targetNames.length` values. */
  | { kind: 'regression'; count: number; inputs: Float32Array; targets: Float32Array };

/** The first samples of a split as the user knows them: pixels before normalisation, or the table's cells (label last). */
export type SampleDisplay =
  /** `labels`: the class of each image (classes only). */
  | { kind: 'images'; count: number; height: number; width: number; channels: number; pixels: Uint8Array; labels?: Int32Array }
  | { kind: 'rows'; count: number; columns: string[]; rows: string[][] };

export interface DataSource {
  /** e.g. 'mnist', 'csv', 'images', 'arrays'. */
  readonly name: string;
  /** Where the samples come from, shown to the user (a file, a folder, 'synthetic', 'code'). */
  readonly source: string;
  /** Per sample, e.g. [28, 28, 1] or [14]. */
  readonly inputShape: readonly number[];
  readonly task: DataTask;
  readonly trainCount: number;
  readonly testCount: number;
  /**
   * For a source that makes its own batches (a tf.data.Dataset): the batches of an epoch, which
   * then set the steps (its `trainCount` is an estimate). Others leave it out: steps are
   * ceil(trainCount / batchSize).
   */
  readonly batchesPerEpoch?: number;
  /** For a source that makes its own batches: their size (the first one's), which the plan reports. */
  readonly batchSize?: number;
  /** The sizes as known when trainCount and testCount are estimates (see DatasetInfo.sizes). */
  readonly sizes?: string;
  /** Names of the flat input values when they mean something (a table's encoded columns), else []. */
  readonly featureNames: readonly string[];
  /** What the first pass found that the user should know (rows dropped, columns one-hot encoded). */
  readonly notes: readonly string[];
  /**
   * The train split in epoch `epoch`'s order (epochs count from 1): the same epoch gives the same
   * batches, whoever asks and in whatever order epochs are asked. Every batch but the last holds
   * `batchSize` samples.
   */
  trainBatches(epoch: number, batchSize: number): AsyncIterable<Batch>;
  /** The test split in a fixed order (the file's), so figures compare between epochs and runs. */
  testBatches(batchSize: number): AsyncIterable<Batch>;
  /**
   * The first `count` samples of a split (fewer if it is smaller): the test split in testBatches'
   * order; the train split in its stored order (a table's, the code's, a bundled set's seeded one),
   * or for an image folder (stored class after class) in epoch 1's.
   */
  samples(count: number, split: 'train' | 'test'): Promise<SampleDisplay>;
  /** Ends any worker and open file. */
  close(): Promise<void>;
}

/** One pass over a split of a streamed source (what a worker is asked for). */
export interface StreamRequest {
  split: 'train' | 'test';
  /** Counts from 1; orders the train split. */
  epoch: number;
  batchSize: number;
}

export const inputSize = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Units the model's last layer needs for this task (a binary loss needs 1 whatever the classes). */
export function outputUnits(task: DataTask): number {
  return task.kind === 'classification' ? task.classNames.length : task.targetNames.length;
}

/**
 * Why a model whose input is `modelShape` (without the batch dimension, null for any) cannot read
 * this source, or null when it can. Phase B places the message at the model's first layer.
 */
export function inputShapeProblem(source: Pick<DataSource, 'name' | 'inputShape' | 'featureNames'>,
  modelShape: readonly (number | null)[]): string | null {
  const fits = modelShape.length === source.inputShape.length && modelShape.every((d, i) => d === null || d === source.inputShape[i]);
  if (fits) return null;
  const what = source.featureNames.length > 0
    ? `${source.featureNames.length} features (${abbreviate(source.featureNames, 6)})`
    : `samples shaped [${source.inputShape.join(', ')}]`;
  return `the model's input shape [${modelShape.map((d) => d ?? 'any').join(', ')}] does not fit the "${source.name}" data: ` +
    `${what}. Give the first layer inputShape: [${source.inputShape.join(', ')}].`;
}

/** `a, b, c, … (12 more)`. */
export function abbreviate(items: readonly (string | number)[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … (${items.length - max} more)` : shown;
}

/** Collects a whole stream (tests, small sets). */
export async function collectBatches(batches: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}
