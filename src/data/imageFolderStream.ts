// Batches of an image folder: each file read and decoded, made grayscale if asked, resized and
// centre-cropped, augmented (train split, seeded per epoch and sample), then scaled and normalised.
import { BatchAssembler } from './batchAssembler';
import type { Batch, SampleDisplay, StreamRequest } from './dataSource';
import { readRgbImage } from './imageDecode';
import type { ImageFolderPlan } from './imageFolderScan';
import { augment, channelTables, resizeAndCenterCrop, toGrayscale, writeFloats, type Pixels } from './imageTransforms';
import { createRandom, deriveSeed, permutation } from './seededRandom';

/** Files read ahead while one decodes. */
const READ_AHEAD = 4;

/** The image as the model sees it before augmentation and scaling: channels, size, crop. */
export async function loadImage(plan: ImageFolderPlan, file: string): Promise<Pixels> {
  const rgb = await readRgbImage(file);
  const image: Pixels = { width: rgb.width, height: rgb.height, channels: 3, data: rgb.pixels };
  return resizeAndCenterCrop(plan.channels === 1 ? toGrayscale(image) : image, plan.size[0], plan.size[1]);
}

export async function* imageBatches(plan: ImageFolderPlan, request: StreamRequest): AsyncGenerator<Batch> {
  const list = request.split === 'train' ? plan.train : plan.test;
  const count = list.files.length;
  const order = request.split === 'train'
    ? epochOrder(plan, count, request.epoch)
    : Uint32Array.from({ length: count }, (_, i) => i);
  const [h, w] = plan.size;
  const out = new BatchAssembler('classification', h * w * plan.channels, request.batchSize);
  const tables = channelTables(plan.channels, plan.normalize);
  const pending: Promise<Pixels>[] = [];
  const schedule = (k: number) => {
    if (k >= count) return;
    const load = loadImage(plan, list.files[order[k]]);
    load.catch(() => {}); // a file read ahead may fail before its turn: it throws when awaited, not as unhandled
    pending.push(load);
  };
  for (let k = 0; k < READ_AHEAD; k++) schedule(k);
  for (let k = 0; k < count; k++) {
    const loaded = pending.shift()!;
    schedule(k + READ_AHEAD);
    let image = await loaded;
    const sample = order[k];
    if (request.split === 'train' && plan.augment) {
      image = augment(image, plan.augment, createRandom(deriveSeed(plan.seed, 0xa4, request.epoch, sample)));
    }
    writeFloats(image, tables, out.target(), out.offset);
    const batch = out.commit(list.labels[sample]);
    if (batch) yield batch;
  }
  const last = out.flush();
  if (last) yield last;
}

/**
 * The first `count` images of a split, with their classes, un-normalised and not augmented: test in
 * the folder's order, train in epoch 1's (the folder lists class after class; step 1 sees a mix).
 */
export async function imageSamples(plan: ImageFolderPlan, count: number, split: 'train' | 'test'): Promise<SampleDisplay> {
  const list = split === 'train' ? plan.train : plan.test;
  const n = Math.max(0, Math.min(count, list.files.length));
  const order = split === 'train' ? epochOrder(plan, list.files.length, 1) : Uint32Array.from({ length: n }, (_, i) => i);
  const [height, width] = plan.size;
  const size = height * width * plan.channels;
  const pixels = new Uint8Array(n * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    pixels.set((await loadImage(plan, list.files[order[i]])).data, i * size);
    labels[i] = list.labels[order[i]];
  }
  return { kind: 'images', count: n, height, width, channels: plan.channels, pixels, labels };
}

/** The train split's order in `epoch`: seeded, the same whoever asks. */
function epochOrder(plan: ImageFolderPlan, count: number, epoch: number): Uint32Array {
  return permutation(count, createRandom(deriveSeed(plan.seed, 0x1a6e, epoch)));
}
