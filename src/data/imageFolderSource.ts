// `data: { dataset: 'images', folder, size: [h, w], channels, testFolder?, testSplit?, normalize?, augment? }`
// as a DataSource: the folders are listed now, the images decoded while streaming.
import * as path from 'node:path';
import { UserError } from '../model/userError';
import type { DataSource } from './dataSource';
import { scanImageFolder } from './imageFolderScan';
import type { OpenContext } from './csvSource';
import type { ImagesDataSpec } from '../protocol/experimentSpec';
import { streamedSource, type StreamOptions } from './streamedSource';

export type { ImagesDataSpec };

export async function openImageFolderSource(spec: ImagesDataSpec, context: Omit<OpenContext, 'task'>, options: StreamOptions = {}): Promise<DataSource> {
  checkImagesSpec(spec);
  const folder = path.resolve(context.baseDir, spec.folder);
  const { plan, notes } = scanImageFolder({
    folder, testFolder: spec.testFolder !== undefined ? path.resolve(context.baseDir, spec.testFolder) : undefined,
    size: spec.size, channels: spec.channels, testSplit: spec.testSplit, normalize: spec.normalize, augment: spec.augment,
    seed: context.seed, limit: context.limit, testLimit: context.testLimit,
  });
  return streamedSource(plan, {
    name: 'images', source: folder, inputShape: [spec.size[0], spec.size[1], spec.channels],
    task: { kind: 'classification', classNames: plan.classNames }, trainCount: plan.train.files.length, testCount: plan.test.files.length,
    featureNames: [], notes,
  }, options);
}

const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkImagesSpec(spec: ImagesDataSpec): void {
  const bad = (field: string, what: string, hint: string | null = null) => {
    const value = field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], spec);
    throw new UserError(`data.${field} must be ${what}, got ${JSON.stringify(value)}`, null, hint);
  };
  if (typeof spec.folder !== 'string' || spec.folder === '') bad('folder', 'the path of a folder with a subfolder per class');
  if (!Array.isArray(spec.size) || spec.size.length !== 2 || !spec.size.every(positiveInt)) bad('size', '[height, width] in pixels', 'For example size: [64, 64].');
  if (spec.channels !== 1 && spec.channels !== 3) bad('channels', '1 (grayscale) or 3 (RGB)');
  if (spec.testFolder !== undefined && (typeof spec.testFolder !== 'string' || spec.testFolder === '')) bad('testFolder', 'a folder path');
  if (spec.testSplit !== undefined && !(finite(spec.testSplit) && spec.testSplit >= 0 && spec.testSplit < 1)) bad('testSplit', 'a fraction from 0 to below 1');
  if (spec.testSplit !== undefined && spec.testFolder !== undefined) {
    throw new UserError('data.testFolder and data.testSplit exclude each other', null, 'Keep testFolder to test on its images, or testSplit to split the folder.');
  }
  const n = spec.normalize;
  if (n !== undefined) {
    const ok = (xs: unknown, nonZero: boolean) => Array.isArray(xs) && xs.length === spec.channels && xs.every((x) => finite(x) && (!nonZero || x !== 0));
    if (!ok(n.mean, false) || !ok(n.std, true)) {
      bad('normalize', `{ mean: [...], std: [...] } with ${spec.channels} number${spec.channels === 1 ? '' : 's'} each (std ≠ 0)`,
        spec.channels === 3 ? "ImageNet's statistics: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }." : 'For example { mean: [0.5], std: [0.5] }.');
    }
  }
  const a = spec.augment;
  if (a !== undefined) {
    if (a.flipHorizontal !== undefined && typeof a.flipHorizontal !== 'boolean') bad('augment.flipHorizontal', 'true or false');
    if (a.randomCrop !== undefined && !(Number.isInteger(a.randomCrop?.padding) && a.randomCrop.padding >= 0)) bad('augment.randomCrop', '{ padding: a whole number of pixels }');
  }
}
