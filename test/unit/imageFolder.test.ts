import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectBatches, type Batch } from '../../src/data/dataSource';
import { openImageFolderSource, type ImagesDataSpec } from '../../src/data/imageFolderSource';
import { UserError } from '../../src/model/userError';
import { writeImage, type Rgb } from '../helpers/imageFiles';
import { tmpDir } from './idxTestFiles';

const COLOURS: Record<string, Rgb> = { red: [220, 30, 30], green: [30, 200, 40], blue: [20, 40, 230] };

let template: string | null = null;

/** Three classes (folder names as the colour each holds), PNG and JPEG, of different sizes; 12 images each. */
function photoFolder(): string {
  // jpeg-js's encoder builds its tables on every call (slow): the folder is made once and copied.
  template ??= makePhotoFolder();
  const root = path.join(tmpDir('images'), 'photos');
  fs.cpSync(template, root, { recursive: true });
  return root;
}

function makePhotoFolder(): string {
  const root = path.join(tmpDir('images'), 'photos');
  for (const [name, colour] of Object.entries(COLOURS)) {
    for (let i = 0; i < 12; i++) {
      const ext = i % 4 === 1 ? 'jpg' : 'png';
      writeImage(path.join(root, name, `${name}-${String(i).padStart(2, '0')}.${ext}`), 20 + 3 * i, 14 + 2 * (i % 4), colour);
    }
  }
  fs.writeFileSync(path.join(root, 'red', 'notes.txt'), 'not an image: skipped as ImageFolder skips it');
  return root;
}

const open = (spec: Omit<ImagesDataSpec, 'dataset'>, options: { prefetch?: 'inline' | 'worker' } = {}) =>
  openImageFolderSource({ dataset: 'images', ...spec }, { baseDir: '/', seed: 3 }, { prefetch: options.prefetch ?? 'inline' });

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof UserError, `a UserError, got ${(e as Error).stack}`);
    assert.match(e.message, pattern);
    return true;
  });
}

/** Mean of each channel of each sample of the batches. */
function channelMeans(batches: Batch[], pixels: number, channels: number): { means: number[]; label: number }[] {
  const out: { means: number[]; label: number }[] = [];
  for (const b of batches) {
    if (b.kind !== 'classification') continue;
    for (let i = 0; i < b.count; i++) {
      const means = new Array(channels).fill(0);
      for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) means[c] += b.inputs[(i * pixels + p) * channels + c] / pixels;
      out.push({ means, label: b.labels[i] });
    }
  }
  return out;
}

describe('image folders: classes from subfolders, PNG and JPEG of any size', () => {
  it('takes the sorted subfolder names as classes and splits the files by the seed', async () => {
    const source = await open({ folder: photoFolder(), size: [8, 8], channels: 3 });
    assert.deepEqual(source.task, { kind: 'classification', classNames: ['blue', 'green', 'red'] });
    assert.deepEqual(source.inputShape, [8, 8, 3]);
    assert.equal(source.trainCount + source.testCount, 36, 'notes.txt is not an image');
    assert.equal(source.testCount, Math.round(36 * 0.2));
  });

  it('gives every train image once per epoch with the label of its folder, resized to size, values pixel / 255', async () => {
    const source = await open({ folder: photoFolder(), size: [8, 8], channels: 3 });
    const batches = await collectBatches(source.trainBatches(1, 5));
    assert.deepEqual(batches.map((b) => b.count), [5, 5, 5, 5, 5, 4]);
    const samples = channelMeans(batches, 64, 3);
    const names = ['blue', 'green', 'red'];
    for (const s of samples) {
      const expected = COLOURS[names[s.label]];
      // Mean of the texture (0..16 added) is about 8; JPEG moves a level or two.
      s.means.forEach((m, c) => assert.ok(Math.abs(m * 255 - Math.min(255, expected[c] + 8)) < 6, `${names[s.label]}: channel ${c} ${m * 255}`));
    }
    const again = await collectBatches(source.trainBatches(1, 5));
    assert.deepEqual(again.map((b) => [...b.inputs]), batches.map((b) => [...b.inputs]), 'the same epoch, the same batches');
    const next = await collectBatches(source.trainBatches(2, 5));
    assert.notDeepEqual(next.map((b) => b.kind === 'classification' && [...b.labels]), batches.map((b) => b.kind === 'classification' && [...b.labels]));
  });

  it('converts to one channel as PIL\'s L, and normalises per channel', async () => {
    const gray = await open({ folder: photoFolder(), size: [6, 4], channels: 1, normalize: { mean: [0.5], std: [0.25] } });
    assert.deepEqual(gray.inputShape, [6, 4, 1]);
    const [batch] = await collectBatches(gray.testBatches(100));
    const samples = channelMeans([batch], 24, 1);
    const names = ['blue', 'green', 'red'];
    for (const s of samples) {
      const [r, g, b] = COLOURS[names[s.label]].map((v) => Math.min(255, v + 8));
      const luma = (r * 299 + g * 587 + b * 114) / 1000 / 255;
      assert.ok(Math.abs(s.means[0] - (luma - 0.5) / 0.25) < 0.1, `${names[s.label]}: ${s.means[0]} vs ${(luma - 0.5) / 0.25}`);
    }
  });

  it('tests on testFolder when given, labelled by the training folder\'s class names', async () => {
    const root = photoFolder();
    const testRoot = path.join(path.dirname(root), 'test');
    writeImage(path.join(testRoot, 'red', 'r.png'), 10, 10, COLOURS.red);
    writeImage(path.join(testRoot, 'blue', 'b.jpg'), 12, 9, COLOURS.blue);
    const source = await open({ folder: root, testFolder: testRoot, size: [4, 4], channels: 3 });
    assert.equal(source.trainCount, 36);
    assert.equal(source.testCount, 2);
    const [batch] = await collectBatches(source.testBatches(10));
    assert.deepEqual(batch.kind === 'classification' && [...batch.labels], [0, 2], 'blue is class 0, red class 2');
  });

  it('augments train images only, the same way for the same epoch', async () => {
    const folder = photoFolder();
    const plain = await open({ folder, size: [8, 8], channels: 3 });
    const augmented = await open({ folder, size: [8, 8], channels: 3, augment: { flipHorizontal: true, randomCrop: { padding: 2 } } });
    const flat = (bs: Batch[]) => bs.flatMap((b) => [...b.inputs]);
    assert.deepEqual(flat(await collectBatches(augmented.testBatches(8))), flat(await collectBatches(plain.testBatches(8))), 'test images untouched');
    const a = flat(await collectBatches(augmented.trainBatches(1, 8)));
    assert.notDeepEqual(a, flat(await collectBatches(plain.trainBatches(1, 8))));
    assert.deepEqual(flat(await collectBatches(augmented.trainBatches(1, 8))), a);
    assert.ok(a.some((v) => v === 0), 'zero padding shows');
  });

  it('shows the first test images un-normalised, as the model sees them before scaling', async () => {
    const source = await open({ folder: photoFolder(), size: [5, 7], channels: 3, normalize: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } });
    const shown = await source.samples(3, 'test');
    assert.equal(shown.kind, 'images');
    if (shown.kind !== 'images') return;
    assert.deepEqual([shown.count, shown.height, shown.width, shown.channels], [3, 5, 7, 3]);
    const [batch] = await collectBatches(source.testBatches(3));
    [...shown.pixels].forEach((p, i) => assert.ok(Math.abs((p / 255 - 0.5) / 0.5 - batch.inputs[i]) < 1e-6));
  });
});

describe('image folders: errors name the folder or the image', () => {
  it('a folder that does not exist, and one without class subfolders', async () => {
    await rejectsWith(open({ folder: '/nonexistent/photos', size: [4, 4], channels: 3 }), /image folder not found: \/nonexistent\/photos/);
    const flat = tmpDir('flat');
    writeImage(path.join(flat, 'a.png'), 4, 4, COLOURS.red);
    await rejectsWith(open({ folder: flat, size: [4, 4], channels: 3 }), new RegExp(`${flat} has no class subfolders`));
  });

  it('a file given as the folder', async () => {
    const file = path.join(tmpDir('images'), 'table.csv');
    fs.writeFileSync(file, 'a,b\n');
    await rejectsWith(open({ folder: file, size: [4, 4], channels: 3 }), new RegExp(`${file.replace(/\./g, '\\.')} is a file, not a folder`));
  });

  it('an empty class folder', async () => {
    const root = photoFolder();
    fs.mkdirSync(path.join(root, 'yellow'));
    await rejectsWith(open({ folder: root, size: [4, 4], channels: 3 }), new RegExp(`class folder ${path.join(root, 'yellow')} has no PNG or JPEG images`));
  });

  it('a file named .png that is not an image, at the first pass', async () => {
    const root = photoFolder();
    fs.writeFileSync(path.join(root, 'green', 'fake.png'), 'hello');
    await rejectsWith(open({ folder: root, size: [4, 4], channels: 3 }), new RegExp(`${path.join(root, 'green', 'fake.png')} is not a PNG or JPEG image`));
  });

  it('a truncated PNG and a truncated JPEG, when they are decoded (here through the worker)', async () => {
    for (const name of ['cut.png', 'cut.jpg']) {
      const root = photoFolder();
      const file = path.join(root, 'blue', name);
      writeImage(file, 30, 30, COLOURS.blue);
      fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 60));
      const source = await openImageFolderSource({ dataset: 'images', folder: root, size: [4, 4], channels: 3, testSplit: 0 },
        { baseDir: '/', seed: 3 }, { workerScript: path.resolve(__dirname, '../../../dist/dataWorker.js') });
      try {
        await rejectsWith(collectBatches(source.trainBatches(1, 8)), new RegExp(`${file.replace(/\./g, '\\.')} is a corrupt or unsupported`));
      } finally {
        await source.close();
      }
    }
  });

  it('a format torchvision lists that is not read here', async () => {
    const root = photoFolder();
    fs.writeFileSync(path.join(root, 'red', 'x.webp'), 'RIFF');
    await rejectsWith(open({ folder: root, size: [4, 4], channels: 3 }), /x\.webp: only PNG and JPEG images are read/);
  });
});
