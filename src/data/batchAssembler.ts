// Fills batches sample by sample (streamed sources), and mixes rows in a shuffle buffer (as tf.data's
// shuffle: a full buffer hands out a random row for each new one, then the rest in random order).
import type { Batch, TaskKind } from './dataSource';
import type { Random } from './seededRandom';
import { shuffleInPlace } from './seededRandom';

/** One label per sample: a class index, or a regression target. */
export class BatchAssembler {
  private inputs!: Float32Array;
  private labels!: Float64Array;
  private count = 0;

  constructor(private readonly task: TaskKind, private readonly width: number, private readonly batchSize: number) {
    this.fresh();
  }

  /** Where the next sample's `width` inputs go in `target()` (zeroed), for writing in place. */
  get offset(): number {
    return this.count * this.width;
  }

  target(): Float32Array {
    return this.inputs;
  }

  /** Ends the sample written at `offset`; returns the batch once it is full. */
  commit(label: number): Batch | null {
    this.labels[this.count++] = label;
    return this.count === this.batchSize ? this.take(this.count) : null;
  }

  /** Copies a sample in; returns the batch once it is full. */
  add(inputs: Float32Array, from: number, label: number): Batch | null {
    // A loop, not set(subarray()): no view object per row.
    const target = this.inputs;
    const to = this.offset;
    for (let k = 0; k < this.width; k++) target[to + k] = inputs[from + k];
    return this.commit(label);
  }

  /** The last, partial batch, if any. */
  flush(): Batch | null {
    return this.count > 0 ? this.take(this.count) : null;
  }

  private take(count: number): Batch {
    const inputs = count === this.batchSize ? this.inputs : this.inputs.slice(0, count * this.width);
    const batch: Batch = this.task === 'classification'
      ? { kind: 'classification', count, inputs, labels: Int32Array.from(this.labels.subarray(0, count)) }
      : { kind: 'regression', count, inputs, targets: Float32Array.from(this.labels.subarray(0, count)) };
    this.fresh();
    return batch;
  }

  private fresh(): void {
    this.inputs = new Float32Array(this.batchSize * this.width);
    this.labels = new Float64Array(this.batchSize);
    this.count = 0;
  }
}

/** Rows of `width` floats with a label, mixed `capacity` at a time. */
export class ShuffleBuffer {
  private readonly inputs: Float32Array;
  private readonly labels: Float64Array;
  private size = 0;

  constructor(private readonly capacity: number, private readonly width: number, private readonly random: Random) {
    this.inputs = new Float32Array(capacity * width);
    this.labels = new Float64Array(capacity);
  }

  /** Adds a row; once the buffer is full, a random row leaves it first, into `out`. */
  push(row: Float32Array, label: number, out: BatchAssembler): Batch | null {
    let batch: Batch | null = null;
    let slot = this.size;
    if (this.size < this.capacity) this.size++;
    else {
      slot = Math.floor(this.random() * this.capacity);
      batch = out.add(this.inputs, slot * this.width, this.labels[slot]);
    }
    this.inputs.set(row, slot * this.width);
    this.labels[slot] = label;
    return batch;
  }

  /** The rows left, in random order. */
  *drain(out: BatchAssembler): Generator<Batch> {
    const order = Array.from({ length: this.size }, (_, i) => i);
    shuffleInPlace(order, this.random);
    for (const slot of order) {
      const batch = out.add(this.inputs, slot * this.width, this.labels[slot]);
      if (batch) yield batch;
    }
    this.size = 0;
  }
}
