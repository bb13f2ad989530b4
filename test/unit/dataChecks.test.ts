import { describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../src/data/dataset';
import { BYTE, idxBytes, numberedSplit, throwsUserError, tmpDir, writeImageFolder } from './idxTestFiles';

const PIXELS = 2 * 3;

/** An idx folder with `train` and `test` samples whose labels cycle through 0..4. */
function idxFolder(train: number, test: number): { baseDir: string; folder: string } {
  const baseDir = tmpDir('empty');
  writeImageFolder(path.join(baseDir, 'set'), 2, 3, numberedSplit(train, PIXELS, 0, 5), numberedSplit(test, PIXELS, 0, 5));
  return { baseDir, folder: path.join(baseDir, 'set') };
}

describe('a data set that leaves nothing to train on is refused, naming the file or option', () => {
  it('an empty train IDX file', () => {
    const { baseDir, folder } = idxFolder(0, 4);
    throwsUserError(() => loadDataset({ dataset: 'idx', folder: './set', numClasses: 5 }, { baseDir, seed: 1 }),
      `${path.join(folder, 'train-images-idx3-ubyte')} holds no images: there is nothing to train on.`);
  });

  it('empty train and test IDX files (no classes either)', () => {
    const { baseDir, folder } = idxFolder(0, 0);
    throwsUserError(() => loadDataset({ dataset: 'idx', folder: './set' }, { baseDir, seed: 1 }),
      `${path.join(folder, 'train-images-idx3-ubyte')} holds no images`);
  });

  it('a classes filter none of the training labels pass', () => {
    const { baseDir, folder } = idxFolder(20, 6);
    throwsUserError(() => loadDataset({ dataset: 'idx', folder: './set', numClasses: 10, classes: [7, 8] }, { baseDir, seed: 1 }),
      `data.classes [7,8] keeps no training sample: ${path.join(folder, 'train-labels-idx1-ubyte')} has none of those labels.`);
  });

  it('a synthetic set too small for its train percentage', () => {
    throwsUserError(() => loadDataset({ dataset: 'spiral', numSamples: 2, percTrainData: 10 }, { baseDir: '.', seed: 1 }),
      'data.percTrainData keeps no training sample: 2 samples × 10% is less than one.');
  });
});

describe('labels outside the classes are refused, naming the labels file', () => {
  it('a negative label', () => {
    const { baseDir, folder } = idxFolder(6, 2);
    const labels = path.join(folder, 'train-labels-idx1-ubyte');
    fs.writeFileSync(labels, idxBytes(BYTE, [6], [0, 1, 2, -3, 4, 0]));
    throwsUserError(() => loadDataset({ dataset: 'idx', folder: './set', numClasses: 5 }, { baseDir, seed: 1 }),
      `${labels}: label -3 of sample 3 is outside 0..4 (5 classes)`);
  });

  it('a label not below numClasses', () => {
    const { baseDir, folder } = idxFolder(6, 2);
    throwsUserError(() => loadDataset({ dataset: 'idx', folder: './set', numClasses: 3 }, { baseDir, seed: 1 }),
      `${path.join(folder, 'train-labels-idx1-ubyte')}: label 3 of sample 3 is outside 0..2 (3 classes)`);
  });
});
