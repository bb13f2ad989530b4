// `data: () => ({ train: { x, y }, test?: { x, y } })` (sync or async) with nested arrays or typed
// arrays, as a DataSource. x: one entry per sample (numbers, arrays, typed arrays, nested to any depth)
// or one flat typed array; y: class indices or class names (classification), numbers or rows of
// numbers (regression). tfjs tensors are read into arrays by the trainer before this.
import { UserError } from '../model/userError';
import type { DataSource, DataTask, TaskKind } from './dataSource';
import { sortClassNames } from './csvCells';
import { memorySource, type MemorySplit } from './memorySource';
import { deriveSeed, randomSubset } from './seededRandom';

export interface ArraysSplit {
  x: unknown;
  y: unknown;
}

export interface ArraysData {
  train: ArraysSplit;
  test?: ArraysSplit;
}

export interface ArraysContext {
  task: TaskKind;
  seed: number;
  /** Names for class indices 0..n-1; default their numbers. */
  classNames?: readonly string[];
  /** --limit / --test-limit: a seeded random subset of train, the first test samples (as the other sources). */
  limit?: number;
  testLimit?: number;
}

type TypedArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array;
const isTyped = (v: unknown): v is TypedArray => ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);

/** Calls the user's `data` function (sync or async) and converts what it returns. */
export async function arraysSource(data: ArraysData | (() => ArraysData | Promise<ArraysData>), context: ArraysContext): Promise<DataSource> {
  const value = typeof data === 'function' ? await data() : data;
  if (typeof value !== 'object' || value === null || typeof value.train !== 'object' || value.train === null) {
    throw new UserError('data() must return { train: { x, y }, test?: { x, y } }', null, 'x holds the inputs, y the labels or targets, one entry per sample.');
  }
  const trainY = readLabels(value.train.y, 'train.y', context.task);
  const train = readInputs(value.train.x, 'train.x', trainY.count);
  const test = value.test ? readInputs(value.test.x, 'test.x', readLabels(value.test.y, 'test.y', context.task).count) : null;
  const testY = value.test ? readLabels(value.test.y, 'test.y', context.task) : null;
  if (test && !sameShape(test.shape, train.shape)) {
    throw new UserError(`test.x samples are shaped [${test.shape.join(', ')}] but train.x samples [${train.shape.join(', ')}]`);
  }
  if (testY && testY.width !== trainY.width) throw new UserError(`test.y has ${testY.width} value(s) per sample but train.y has ${trainY.width}`);

  let task: DataTask;
  let trainSplit: MemorySplit;
  let testSplit: MemorySplit;
  if (context.task === 'classification') {
    const { classNames, toIndex } = classes(trainY.values, testY?.values ?? [], context.classNames);
    task = { kind: 'classification', classNames };
    trainSplit = { count: trainY.count, inputs: train.data, labels: Int32Array.from(trainY.values, toIndex) };
    testSplit = { count: testY?.count ?? 0, inputs: test?.data ?? new Float32Array(0), labels: Int32Array.from(testY?.values ?? [], toIndex) };
  } else {
    const names = trainY.width === 1 ? ['y'] : Array.from({ length: trainY.width }, (_, i) => `y${i + 1}`);
    task = { kind: 'regression', targetNames: names };
    trainSplit = { count: trainY.count, inputs: train.data, targets: Float32Array.from(trainY.values as number[]) };
    testSplit = { count: testY?.count ?? 0, inputs: test?.data ?? new Float32Array(0), targets: Float32Array.from((testY?.values ?? []) as number[]) };
  }
  const size = train.data.length / trainY.count;
  const width = task.kind === 'regression' ? task.targetNames.length : 0;
  if (context.limit !== undefined) trainSplit = pickSamples(trainSplit, randomSubset(trainSplit.count, context.limit, deriveSeed(context.seed, 0x11)), size, width);
  if (context.testLimit !== undefined && context.testLimit < testSplit.count) {
    testSplit = pickSamples(testSplit, Uint32Array.from({ length: context.testLimit }, (_, i) => i), size, width);
  }
  return memorySource({ name: 'arrays', source: 'code', inputShape: train.shape, task, train: trainSplit, test: testSplit, seed: context.seed });
}

/** The samples `indices` of `split` (`size` inputs and, for regression, `width` targets each). */
function pickSamples(split: MemorySplit, indices: Uint32Array, size: number, width: number): MemorySplit {
  if (indices.length === split.count) return split;
  const inputs = new Float32Array(indices.length * size);
  indices.forEach((from, i) => inputs.set(split.inputs.subarray(from * size, (from + 1) * size), i * size));
  if (split.labels) return { count: indices.length, inputs, labels: Int32Array.from(indices, (i) => split.labels![i]) };
  const targets = new Float32Array(indices.length * width);
  indices.forEach((from, i) => targets.set(split.targets!.subarray(from * width, (from + 1) * width), i * width));
  return { count: indices.length, inputs, targets };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** x as float32, sample after sample, with the shape of one sample. */
export function readInputs(x: unknown, name: string, count: number): { shape: number[]; data: Float32Array } {
  if (isTyped(x)) {
    if (count === 0 || x.length % count !== 0) {
      throw new UserError(`${name} is one flat array of ${x.length} values, which does not split into ${count} samples`, null,
        'Give x as one entry per sample (nested arrays, or an array of Float32Arrays).');
    }
    const data = Float32Array.from(x);
    checkFinite(data, name, x.length / count);
    return { shape: [x.length / count], data };
  }
  if (!Array.isArray(x)) throw new UserError(`${name} must be an array with one entry per sample, got ${describe(x)}`);
  if (x.length !== count) throw new UserError(`${name} has ${x.length} samples but ${name.replace('.x', '.y')} has ${count}`);
  if (count === 0) throw new UserError(`${name} has no samples`);
  const shape = shapeOf(x[0]);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count * size);
  for (let i = 0; i < count; i++) {
    const written = flatten(x[i], shape, 0, data, i * size, `${name}[${i}]`);
    if (written !== size) throw new UserError(`${name}[${i}] has ${written} values but ${name}[0] has ${size}`);
  }
  return { shape: shape.length === 0 ? [1] : shape, data };
}

function shapeOf(sample: unknown): number[] {
  const shape: number[] = [];
  let v = sample;
  while (Array.isArray(v) || isTyped(v)) {
    shape.push(v.length);
    v = (v as ArrayLike<unknown>)[0];
  }
  return shape;
}

/** Writes `value` (shaped `shape` from `depth`) into `out`; returns how many values it wrote. */
function flatten(value: unknown, shape: number[], depth: number, out: Float32Array, at: number, where: string): number {
  if (depth === shape.length) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new UserError(`${where} is ${describe(value)}, not a finite number`);
    out[at] = value;
    return 1;
  }
  if (!(Array.isArray(value) || isTyped(value)) || value.length !== shape[depth]) {
    throw new UserError(`${where} should be an array of ${shape[depth]} entries (as the first sample), got ${describe(value)}`);
  }
  let written = 0;
  if (isTyped(value) && depth === shape.length - 1) {
    out.set(value, at);
    checkFinite(out.subarray(at, at + value.length), where, value.length);
    return value.length;
  }
  for (let i = 0; i < value.length; i++) written += flatten((value as ArrayLike<unknown>)[i], shape, depth + 1, out, at + written, `${where}[${i}]`);
  return written;
}

function checkFinite(data: Float32Array, name: string, size: number): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new UserError(`${name}: value ${i % size} of sample ${Math.floor(i / size)} is ${data[i]}, not a finite number`);
  }
}

/** y as one value per sample (a class index or name, a target) or rows of `width` targets. */
function readLabels(labels: unknown, name: string, task: TaskKind): { count: number; width: number; values: (number | string)[] } {
  let y = labels;
  if (isTyped(y)) y = Array.from(y);
  if (!Array.isArray(y)) throw new UserError(`${name} must be an array with one entry per sample, got ${describe(y)}`);
  const rows = y.length > 0 && (Array.isArray(y[0]) || isTyped(y[0]));
  if (!rows) {
    y.forEach((v, i) => {
      const ok = task === 'classification' ? (typeof v === 'string' || (Number.isInteger(v) && v >= 0)) : (typeof v === 'number' && Number.isFinite(v));
      if (!ok) throw new UserError(`${name}[${i}] is ${describe(v)}: ${task === 'classification' ? 'a class is a whole number from 0 or a name' : 'a regression target is a finite number'}`);
    });
    return { count: y.length, width: 1, values: y as (number | string)[] };
  }
  const width = (y[0] as ArrayLike<unknown>).length;
  const out = new Float32Array(y.length * width);
  for (let i = 0; i < y.length; i++) {
    const written = flatten(y[i], [width], 0, out, i * width, `${name}[${i}]`);
    if (written !== width) throw new UserError(`${name}[${i}] has ${written} values but ${name}[0] has ${width}`);
  }
  if (task === 'regression') return { count: y.length, width, values: Array.from(out) };
  // A [n, 1] column is tfjs's label shape for one sigmoid unit: each row holds a class index (0/1),
  // not a one-hot row of one class (which would read [1] as class 0).
  if (width === 1) {
    const values = Array.from(out);
    values.forEach((v, i) => {
      if (!(Number.isInteger(v) && v >= 0)) throw new UserError(`${name}[${i}] is [${v}]: a class is a whole number from 0 (or give one-hot rows)`);
    });
    return { count: y.length, width: 1, values };
  }
  // Classification from one-hot rows: the index of the 1.
  const values = Array.from({ length: y.length }, (_, i) => {
    const row = out.subarray(i * width, (i + 1) * width);
    const hot = row.indexOf(1);
    if (hot < 0 || row.some((v, j) => v !== (j === hot ? 1 : 0))) throw new UserError(`${name}[${i}] is not one-hot (a single 1 among 0s)`);
    return hot;
  });
  return { count: y.length, width: 1, values };
}

/** Class names and each label's index: names sorted as a CSV's, indices named by `given` or their number. */
function classes(train: (number | string)[], test: (number | string)[], given?: readonly string[]): { classNames: string[]; toIndex: (v: number | string) => number } {
  const all = [...train, ...test];
  if (all.some((v) => typeof v === 'string')) {
    if (!all.every((v) => typeof v === 'string')) throw new UserError('y mixes class names (strings) and class indices (numbers)');
    const classNames = sortClassNames(new Set(all as string[]));
    const index = new Map(classNames.map((c, i) => [c, i]));
    return { classNames, toIndex: (v) => index.get(v as string)! };
  }
  const count = (all as number[]).reduce((a, b) => Math.max(a, b), -1) + 1;
  if (given && given.length < count) throw new UserError(`${given.length} class names were given but y holds class ${count - 1}`);
  return { classNames: given ? [...given] : Array.from({ length: count }, (_, i) => String(i)), toIndex: (v) => v as number };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isTyped(v)) return `a ${v.constructor.name} of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}
