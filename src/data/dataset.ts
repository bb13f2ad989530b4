// The data the trainer trains on: `loadDataset(spec.data, …)` turns an experiment's DataSpec into
// flat float32 inputs and int32 labels (no tfjs here; the trainer makes tensors from these).
import * as path from 'node:path';
import type { DataSpec, LooseDataSpec, NormalizeSpec } from '../protocol/experimentSpec';
import { UserError } from '../model/userError';
import { createRandom, permutation } from './seededRandom';
import {
  FASHION_MNIST_CLASS_NAMES,
  MNIST_CLASS_NAMES,
  bundledMnistFolder,
  loadImageFolder,
  type ImageSetOptions,
} from './imageDataset';
import { SYNTHETIC_SETS, isSyntheticName, makeSyntheticSet } from './syntheticSets';

export interface Split {
  inputs: Float32Array;
  labels: Int32Array;
  count: number;
}

export interface LoadedDataset {
  name: string; // e.g. 'mnist', 'fashion-mnist', 'spiral'
  inputShape: number[]; // per sample, e.g. [28, 28, 1] or [2]
  numClasses: number;
  classNames: string[];
  train: Split;
  test: Split;
  /** Where it came from, shown to the user (a folder path or 'synthetic'). */
  source: string;
  /** For image sets: the raw 0–255 pixels of the test split, for sample grids (same order as test). */
  testPixels?: Uint8Array;
  /** For image sets: the raw pixels of the first TRAIN_PIXELS training samples (train order), for the grid before step 1. */
  trainPixels?: Uint8Array;
}

/** Training samples whose raw pixels are kept for display (the grid shows 32). */
export const TRAIN_PIXELS = 64;

export interface LoadOptions {
  /** Relative `folder`s are resolved against this (the experiment file's folder). */
  baseDir: string;
  /** Orders the train split (and generates synthetic sets). */
  seed: number;
  /** Override spec.limit / spec.testLimit. */
  limit?: number;
  testLimit?: number;
}

export const IMAGE_SETS = ['mnist', 'fashion-mnist', 'idx'] as const;
export const DATASET_NAMES: readonly string[] = [...IMAGE_SETS, ...SYNTHETIC_SETS];

const SYNTHETIC_CLASS_NAMES = ['-1', '+1']; // TensorFlow Playground's labels (orange, blue).

/**
 * Loads the data set `spec` names.
 * - Image sets: pixels become float32 `pixel / 255`, then `(x - mean) / std` if `normalize` is set
 *   (torchvision's ToTensor + Normalize, in float32), NHWC with one channel.
 * - The train split is put in a random order from `seed` (so `limit` keeps a random subset, the
 *   same one for the same seed); the test split keeps the file's order, and `testLimit` keeps its
 *   first samples, so test figures compare between runs. Limits above the split's size keep it all.
 * Throws a UserError for anything wrong with the spec or the files.
 */
export function loadDataset(given: DataSpec | LooseDataSpec, options: LoadOptions): LoadedDataset {
  const spec = given as LooseDataSpec;
  if (typeof spec.dataset !== 'string' || spec.dataset.trim() === '') {
    throw new UserError('data.dataset must name a data set', null, `Valid data sets: ${DATASET_NAMES.join(', ')}.`);
  }
  const name = spec.dataset.trim().toLowerCase();
  const limit = checkLimit(options.limit ?? spec.limit, 'limit');
  const testLimit = checkLimit(options.testLimit ?? spec.testLimit, 'testLimit');
  const normalize = checkNormalize(spec.normalize);

  if (isSyntheticName(name)) {
    const set = makeSyntheticSet(name, {
      numSamples: checkNumber(spec.numSamples, 'numSamples', (v) => Number.isInteger(v) && v >= 2, 'an integer of at least 2'),
      noise: checkNumber(spec.noise, 'noise', (v) => v >= 0 && v <= 50, 'between 0 and 50 (percent, as the playground slider)'),
      percTrainData: checkNumber(spec.percTrainData, 'percTrainData', (v) => v > 0 && v < 100, 'between 0 and 100 (exclusive)'),
      seed: options.seed,
    });
    // The train split is already in a seeded random order (playground shuffles before splitting).
    const lut = normalize ? (x: number) => normalizeFloat32(x, normalize) : null;
    if (set.train.count === 0) {
      throw new UserError(`data.percTrainData keeps no training sample: ${set.train.count + set.test.count} samples × ${spec.percTrainData ?? 50}% is less than one.`,
        null, 'Raise data.numSamples or data.percTrainData.');
    }
    return {
      name,
      inputShape: [2],
      numClasses: 2,
      classNames: [...SYNTHETIC_CLASS_NAMES],
      train: firstOf(set.train, limit, 2, lut),
      test: firstOf(set.test, testLimit, 2, lut),
      source: 'synthetic',
    };
  }

  if (!(IMAGE_SETS as readonly string[]).includes(name)) {
    throw new UserError(
      `unknown data set '${spec.dataset}'`,
      null,
      `Valid data sets: ${DATASET_NAMES.join(', ')} (mnist is bundled; fashion-mnist and idx read a folder of IDX files).`,
    );
  }
  const folderSpec = spec.folder;
  if (folderSpec !== undefined && (typeof folderSpec !== 'string' || folderSpec === '')) {
    throw new UserError(`data.folder must be a path (a string), got ${JSON.stringify(folderSpec)}`);
  }
  if (name !== 'mnist' && folderSpec === undefined) {
    throw new UserError(
      `data set '${name}' needs data.folder: the folder that holds its IDX files`,
      null,
      name === 'fashion-mnist'
        ? "Download Fashion-MNIST's four .gz files (github.com/zalandoresearch/fashion-mnist) into a folder and set `folder` to it (relative to the experiment file)."
        : 'Set `folder` to a folder (relative to the experiment file) with MNIST-named IDX files.',
    );
  }
  const folder = folderSpec !== undefined ? path.resolve(options.baseDir, folderSpec) : bundledMnistFolder();
  const setOptions: ImageSetOptions =
    name === 'mnist'
      ? { classNames: MNIST_CLASS_NAMES }
      : name === 'fashion-mnist'
        ? { classNames: FASHION_MNIST_CLASS_NAMES }
        : { classNames: checkClassNames(spec.classNames), numClasses: checkNumber(spec.numClasses, 'numClasses', (v) => Number.isInteger(v) && v >= 1, 'a positive integer') };
  const set = loadImageFolder(folder, setOptions);
  if (set.train.count === 0) {
    throw new UserError(`${set.train.imagesFile} holds no images: there is nothing to train on.`, null, 'Give a data set with at least one training sample.');
  }

  const pixels = set.rows * set.cols;
  const table = pixelTable(normalize);
  const classes = checkClasses(spec.classes, set.numClasses);
  // `classes: [5, 6, 7, 8, 9]` keeps those digits and relabels them 0..4 (for transfer learning).
  const keep = (labels: Int32Array, order: ArrayLike<number>): Uint32Array =>
    classes ? Uint32Array.from(Array.from(order).filter((i) => classes.includes(labels[i]))) : Uint32Array.from(order);
  const trainOrder = keep(set.train.labels, permutation(set.train.count, createRandom(options.seed)));
  const testOrder = keep(set.test.labels, Array.from({ length: set.test.count }, (_, i) => i));
  if (trainOrder.length === 0) {
    throw new UserError(`data.classes ${JSON.stringify(classes)} keeps no training sample: ${set.train.labelsFile} has none of those labels.`,
      null, 'Pick classes that occur among the training labels.');
  }
  const trainCount = Math.min(limit ?? trainOrder.length, trainOrder.length);
  const testCount = Math.min(testLimit ?? testOrder.length, testOrder.length);
  const train = convertImages(set.train.images, set.train.labels, pixels, table, trainOrder.subarray(0, trainCount));
  const test = convertImages(set.test.images, set.test.labels, pixels, table, testOrder.subarray(0, testCount));
  let testPixels = set.test.images.subarray(0, testCount * pixels);
  if (classes) {
    for (const split of [train, test]) for (let i = 0; i < split.count; i++) split.labels[i] = classes.indexOf(split.labels[i]);
    testPixels = new Uint8Array(testCount * pixels);
    for (let k = 0; k < testCount; k++) testPixels.set(set.test.images.subarray(testOrder[k] * pixels, (testOrder[k] + 1) * pixels), k * pixels);
  }
  const trainPixels = new Uint8Array(Math.min(TRAIN_PIXELS, trainCount) * pixels);
  for (let k = 0; k * pixels < trainPixels.length; k++) {
    trainPixels.set(set.train.images.subarray(trainOrder[k] * pixels, (trainOrder[k] + 1) * pixels), k * pixels);
  }
  return {
    name,
    inputShape: [set.rows, set.cols, 1],
    numClasses: classes ? classes.length : set.numClasses,
    classNames: classes ? classes.map((c) => set.classNames[c]) : set.classNames,
    train,
    test,
    source: folder,
    testPixels,
    trainPixels,
  };
}

function checkClasses(value: unknown, numClasses: number): number[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length < 2 || !value.every((c) => Number.isInteger(c) && c >= 0 && c < numClasses) || new Set(value).size !== value.length) {
    throw new UserError(`data.classes must list at least two different class indices below ${numClasses}, got ${JSON.stringify(value)}`, null,
      'For example classes: [5, 6, 7, 8, 9] keeps those digits, relabelled 0..4.');
  }
  return value as number[];
}

/** Float32 value of each pixel byte 0..255, computed once. */
function pixelTable(normalize: NormalizeSpec | null): Float32Array {
  const table = new Float32Array(256);
  for (let p = 0; p < 256; p++) table[p] = normalizeFloat32(Math.fround(p / 255), normalize);
  return table;
}

/** `(x - mean) / std` rounded to float32 after each step, as a float32 tensor computes it. */
function normalizeFloat32(x: number, normalize: NormalizeSpec | null): number {
  if (!normalize) return Math.fround(x);
  return Math.fround(Math.fround(Math.fround(x) - Math.fround(normalize.mean)) / Math.fround(normalize.std));
}

/** Samples `order` (or the first `count`) of `images`, as float32 through `table`. */
function convertImages(
  images: Uint8Array,
  labels: Int32Array,
  pixels: number,
  table: Float32Array,
  order: Uint32Array | null,
  count = order ? order.length : labels.length,
): Split {
  const inputs = new Float32Array(count * pixels);
  const outLabels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const sample = order ? order[k] : k;
    const src = sample * pixels;
    const dst = k * pixels;
    for (let j = 0; j < pixels; j++) inputs[dst + j] = table[images[src + j]];
    outLabels[k] = labels[sample];
  }
  return { inputs, labels: outLabels, count };
}

function firstOf(split: Split, limit: number | undefined, width: number, map: ((x: number) => number) | null): Split {
  const count = Math.min(limit ?? split.count, split.count);
  const inputs = split.inputs.slice(0, count * width);
  if (map) for (let i = 0; i < inputs.length; i++) inputs[i] = map(inputs[i]);
  return { inputs, labels: split.labels.slice(0, count), count };
}

function checkLimit(value: unknown, field: string): number | undefined {
  return checkNumber(value, field, (v) => Number.isInteger(v) && v >= 1, 'a positive integer (a number of samples)');
}

function checkNumber(value: unknown, field: string, ok: (v: number) => boolean, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new UserError(`data.${field} must be ${what}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

function checkNormalize(value: unknown): NormalizeSpec | null {
  if (value === undefined) return null;
  const n = value as Partial<NormalizeSpec> | null;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (typeof n !== 'object' || n === null || !finite(n.mean) || !finite(n.std) || n.std === 0) {
    throw new UserError(
      `data.normalize must be { mean, std } with finite numbers and std ≠ 0, got ${JSON.stringify(value)}`,
      null,
      'For pixels scaled to 0..1: e.g. { mean: 0.5, std: 0.5 } maps them to -1..1; MNIST\'s own statistics are { mean: 0.1307, std: 0.3081 }.',
    );
  }
  return { mean: n.mean, std: n.std };
}

function checkClassNames(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new UserError(`data.classNames must be a non-empty list of strings, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}
