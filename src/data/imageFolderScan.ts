// An image folder as torchvision's ImageFolder reads one: a subfolder per class (their names, sorted,
// are the class names), every PNG/JPEG below it (subfolders too, in sorted os.walk order) a sample of
// that class. Listing only: the images are decoded while streaming. Unlike ImageFolder, folders and
// files whose names start with '.' are skipped (.ipynb_checkpoints, macOS ._ files).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../model/userError';
import { compareCodePoints } from './csvCells';
import { splitMembers } from './datasetSplit';
import { sniffFormat } from './imageDecode';
import type { AugmentOptions } from './imageTransforms';
import { deriveSeed, randomSubset } from './seededRandom';

export interface ImageFolderOptions {
  /** Absolute paths. */
  folder: string;
  testFolder?: string;
  /** [height, width] of the model's input. */
  size: readonly [number, number];
  channels: 1 | 3;
  /** Used when there is no testFolder; default 0.2. */
  testSplit?: number;
  /** Per channel, on pixels scaled to 0..1. */
  normalize?: { mean: readonly number[]; std: readonly number[] };
  augment?: { flipHorizontal?: boolean; randomCrop?: { padding: number } };
  seed: number;
  /** A seeded random subset of this many images per split. */
  limit?: number;
  testLimit?: number;
}

export interface ImageList {
  files: string[];
  labels: number[];
}

export interface ImageFolderPlan {
  kind: 'images';
  folder: string;
  classNames: string[];
  train: ImageList;
  test: ImageList;
  size: [number, number];
  channels: 1 | 3;
  normalize: { mean: number[]; std: number[] } | null;
  augment: AugmentOptions | null;
  seed: number;
}

const READ = ['.png', '.jpg', '.jpeg'];
/** torchvision's other IMG_EXTENSIONS: images we do not decode, so an error rather than a silent skip. */
const OTHER_IMAGES = ['.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'];

export function scanImageFolder(options: ImageFolderOptions): { plan: ImageFolderPlan; notes: string[] } {
  const classNames = classFolders(options.folder);
  const all = listSamples(options.folder, classNames);
  let train: ImageList;
  let test: ImageList;
  if (options.testFolder) {
    train = all;
    const testClasses = classFolders(options.testFolder, false);
    const unknown = testClasses.filter((c) => !classNames.includes(c));
    if (unknown.length) {
      throw new UserError(`the test folder ${options.testFolder} has classes the training folder has not: ${unknown.join(', ')}`, null,
        `Its subfolders must be among the training classes: ${classNames.join(', ')}.`);
    }
    test = listSamples(options.testFolder, testClasses, classNames);
  } else {
    const members = splitMembers(all.files.length, options.testSplit ?? 0.2, options.seed);
    const pick = (wanted: number): ImageList => {
      const out: ImageList = { files: [], labels: [] };
      for (let i = 0; i < members.length; i++) if (members[i] === wanted) { out.files.push(all.files[i]); out.labels.push(all.labels[i]); }
      return out;
    };
    train = pick(0);
    test = pick(1);
  }
  train = subset(train, options.limit, deriveSeed(options.seed, 0x11));
  test = subset(test, options.testLimit, deriveSeed(options.seed, 0x12));
  if (train.files.length === 0) throw new UserError(`${options.folder} leaves no training images (check data.testSplit)`);
  const notes = [`${classNames.length} classes from ${options.folder}: ${classNames.join(', ')}`];
  return {
    plan: {
      kind: 'images', folder: options.folder, classNames, train, test, size: [options.size[0], options.size[1]], channels: options.channels,
      normalize: options.normalize ? { mean: [...options.normalize.mean], std: [...options.normalize.std] } : null,
      augment: options.augment && (options.augment.flipHorizontal || (options.augment.randomCrop?.padding ?? 0) > 0)
        ? { flipHorizontal: options.augment.flipHorizontal ?? false, cropPadding: options.augment.randomCrop?.padding ?? 0 }
        : null,
      seed: options.seed,
    },
    notes,
  };
}

/** The class subfolders of `folder`, sorted by code point as Python's sorted() does. */
function classFolders(folder: string, required = true): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `image folder not found: ${folder}` : code === 'ENOTDIR' ? `${folder} is a file, not a folder` : `cannot read ${folder}: ${(e as Error).message}`,
      null, 'Point data.folder at a folder with one subfolder of images per class (photos/cat/1.jpg, photos/dog/2.png).');
  }
  const names = entries.filter((e) => !e.name.startsWith('.') && isDirectory(folder, e)).map((e) => e.name).sort(compareCodePoints);
  if (names.length === 0 && required) {
    throw new UserError(`${folder} has no class subfolders`, null,
      'Put each class\'s images in a subfolder named after the class: photos/cat/1.jpg, photos/dog/2.png.');
  }
  return names;
}

function isDirectory(folder: string, entry: fs.Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return fs.statSync(path.join(folder, entry.name)).isDirectory();
  } catch {
    return false;
  }
}

/** Samples of `classes` (labels are indices into `labelOf`), class by class. */
function listSamples(folder: string, classes: string[], labelOf: string[] = classes): ImageList {
  const out: ImageList = { files: [], labels: [] };
  for (const name of classes) {
    const files = walkImages(path.join(folder, name));
    if (files.length === 0) {
      throw new UserError(`the class folder ${path.join(folder, name)} has no PNG or JPEG images`, null,
        'Every class needs images; remove the empty folder or add its images.');
    }
    const label = labelOf.indexOf(name);
    for (const f of files) {
      out.files.push(f);
      out.labels.push(label);
    }
  }
  return out;
}

/** Image files under `root` in the order of `sorted(os.walk(root))` with sorted file names. */
function walkImages(root: string): string[] {
  const folders: { dir: string; files: string[] }[] = [];
  const seen = new Set<string>();
  const visit = (dir: string) => {
    const real = fs.realpathSync(dir);
    if (seen.has(real)) return; // a symlink loop
    seen.add(real);
    const files: string[] = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      if (isDirectory(dir, e)) visit(path.join(dir, e.name));
      else files.push(e.name);
    }
    folders.push({ dir, files });
  };
  visit(root);
  folders.sort((a, b) => compareCodePoints(a.dir, b.dir));
  const out: string[] = [];
  for (const { dir, files } of folders) {
    for (const name of files.sort(compareCodePoints)) {
      const ext = path.extname(name).toLowerCase();
      const file = path.join(dir, name);
      if (OTHER_IMAGES.includes(ext)) {
        throw new UserError(`${file}: only PNG and JPEG images are read`, null, 'Convert it to PNG or JPEG, or move it out of the folder.');
      }
      if (!READ.includes(ext)) continue; // not an image, as ImageFolder skips it
      checkSignature(file);
      out.push(file);
    }
  }
  return out;
}

function checkSignature(file: string): void {
  const head = Buffer.alloc(8);
  let read = 0;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      read = fs.readSync(fd, head, 0, 8, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    throw new UserError(`cannot read the image ${file}: ${(e as Error).message}`);
  }
  if (!sniffFormat(head.subarray(0, read))) {
    throw new UserError(`${file} is not a PNG or JPEG image (its first bytes say otherwise)`, null,
      'Re-save it as PNG or JPEG, or move it out of the folder.');
  }
}

function subset(list: ImageList, limit: number | undefined, seed: number): ImageList {
  if (limit === undefined || limit >= list.files.length) return list;
  const keep = Array.from(randomSubset(list.files.length, limit, seed));
  return { files: keep.map((i) => list.files[i]), labels: keep.map((i) => list.labels[i]) };
}
