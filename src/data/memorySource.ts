// Data already in memory as a DataSource: the bundled sets (`loadDataset`'s LoadedDataset) and arrays
// from the user's code. The train order is the trainer's as it always was: epoch after epoch,
// `permutation(count, random)` from one `createRandom(seed + 1)`, so the course's numbers stay put.
import type { LoadedDataset } from './dataset';
import { type Batch, type DataSource, type DataTask, type SampleDisplay, inputSize } from './dataSource';
import { batchDisplay } from './sampleDisplay';
import { createRandom, permutation, type Random } from './seededRandom';

/** One split: `count × product(inputShape)` inputs and, per the task, labels or targets. */
export interface MemorySplit {
  count: number;
  inputs: Float32Array;
  labels?: Int32Array;
  /** Regression: `count × targetNames.length`. */
  targets?: Float32Array;
}

export interface MemorySourceInit {
  name: string;
  source: string;
  inputShape: readonly number[];
  task: DataTask;
  train: MemorySplit;
  test: MemorySplit;
  /** The experiment's seed: epoch orders come from `createRandom(seed + 1)`. */
  seed: number;
  /** Raw 0–255 test pixels (test order) when the inputs are images shaped [h, w, c]. */
  testPixels?: Uint8Array;
  /** Raw 0–255 pixels of the first train samples (train order), as many as kept for display. */
  trainPixels?: Uint8Array;
  featureNames?: readonly string[];
  notes?: readonly string[];
}

/** The trainer's epoch orders, drawn in sequence from one generator and replayed when asked out of turn. */
class EpochOrders {
  private random: Random;
  private drawn = 0;
  private last: Uint32Array | null = null;

  constructor(private readonly count: number, private readonly seed: number) {
    this.random = createRandom(seed + 1);
  }

  order(epoch: number): Uint32Array {
    if (epoch === this.drawn && this.last) return this.last;
    if (epoch < this.drawn) {
      this.random = createRandom(this.seed + 1);
      this.drawn = 0;
    }
    while (this.drawn < epoch) {
      this.last = permutation(this.count, this.random);
      this.drawn++;
    }
    return this.last!;
  }
}

export function memorySource(init: MemorySourceInit): DataSource {
  const size = inputSize(init.inputShape);
  const width = init.task.kind === 'regression' ? init.task.targetNames.length : 0;
  checkSplit(init.train, size, width, init.task, 'train');
  checkSplit(init.test, size, width, init.task, 'test');
  const orders = new EpochOrders(init.train.count, init.seed);

  function gather(split: MemorySplit, indices: ArrayLike<number>): Batch {
    const count = indices.length;
    const inputs = new Float32Array(count * size);
    for (let i = 0; i < count; i++) {
      const from = indices[i] * size;
      inputs.set(split.inputs.subarray(from, from + size), i * size);
    }
    if (init.task.kind === 'classification') {
      const labels = new Int32Array(count);
      for (let i = 0; i < count; i++) labels[i] = split.labels![indices[i]];
      return { kind: 'classification', count, inputs, labels };
    }
    const targets = new Float32Array(count * width);
    for (let i = 0; i < count; i++) targets.set(split.targets!.subarray(indices[i] * width, (indices[i] + 1) * width), i * width);
    return { kind: 'regression', count, inputs, targets };
  }

  async function* trainBatches(epoch: number, batchSize: number): AsyncGenerator<Batch> {
    checkBatchRequest(epoch, batchSize);
    const order = orders.order(epoch);
    for (let start = 0; start < order.length; start += batchSize) yield gather(init.train, order.subarray(start, start + batchSize));
  }

  async function* testBatches(batchSize: number): AsyncGenerator<Batch> {
    checkBatchRequest(1, batchSize);
    for (let start = 0; start < init.test.count; start += batchSize) {
      const count = Math.min(batchSize, init.test.count - start);
      yield gather(init.test, Array.from({ length: count }, (_, i) => start + i));
    }
  }

  async function samples(count: number, which: 'train' | 'test'): Promise<SampleDisplay> {
    const split = which === 'train' ? init.train : init.test;
    const raw = which === 'train' ? init.trainPixels : init.testPixels;
    const n = Math.max(0, Math.min(count, split.count));
    const first = gather(split, Array.from({ length: n }, (_, i) => i));
    if (raw && init.inputShape.length === 3) {
      const [height, width, channels] = init.inputShape;
      const shown = Math.min(n, Math.floor(raw.length / size));
      return {
        kind: 'images', count: shown, height, width, channels, pixels: raw.slice(0, shown * size),
        ...(first.kind === 'classification' ? { labels: first.labels.slice(0, shown) } : {}),
      };
    }
    return batchDisplay(first, init.inputShape, init.task, init.featureNames ?? [], n);
  }

  return {
    name: init.name,
    source: init.source,
    inputShape: [...init.inputShape],
    task: init.task,
    trainCount: init.train.count,
    testCount: init.test.count,
    featureNames: init.featureNames ?? [],
    notes: init.notes ?? [],
    trainBatches,
    testBatches,
    samples,
    close: async () => {},
  };
}

/** A bundled set (MNIST, Fashion-MNIST, IDX folders, the 2-D sets) as a DataSource, batch for batch as before. */
export function loadedDatasetSource(data: LoadedDataset, seed: number): DataSource {
  return memorySource({
    name: data.name,
    source: data.source,
    inputShape: data.inputShape,
    task: { kind: 'classification', classNames: [...data.classNames] },
    train: data.train,
    test: data.test,
    seed,
    testPixels: data.testPixels,
    trainPixels: data.trainPixels,
  });
}

export function checkBatchRequest(epoch: number, batchSize: number): void {
  if (!Number.isInteger(epoch) || epoch < 1) throw new RangeError(`epochs count from 1, got ${epoch}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
}

function checkSplit(split: MemorySplit, size: number, width: number, task: DataTask, name: string): void {
  if (split.inputs.length !== split.count * size) {
    throw new RangeError(`${name}: ${split.inputs.length} input values for ${split.count} samples of ${size}`);
  }
  if (task.kind === 'classification' && (!split.labels || split.labels.length !== split.count)) {
    throw new RangeError(`${name}: classification needs one label per sample`);
  }
  if (task.kind === 'regression' && (!split.targets || split.targets.length !== split.count * width)) {
    throw new RangeError(`${name}: regression needs ${width} target value(s) per sample`);
  }
}
