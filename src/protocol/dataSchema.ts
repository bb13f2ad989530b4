// The settings of the CSV and image-folder data sets, as experimentSchema.ts checks them.
import type { CsvDataSpec, ImagesDataSpec } from './experimentSpec';
import { custom, flag, listOf, number, object, oneOf, text, type Field } from './settingRules';

type OwnFields<T> = { [K in keyof Required<Omit<T, 'dataset' | 'limit' | 'testLimit'>>]: Field };

const path = text('a path (a non-empty string)', (s) => s.trim() !== '');
const column = text('a column name (a non-empty string)', (s) => s !== '');
const testSplit: Field = {
  rule: number({ what: 'a fraction from 0 to below 1', min: 0, below: 1 }), aka: ['test_split', 'validationSplit', 'valSplit'],
  hint: 'For example testSplit: 0.2 keeps a fifth of the samples for testing.',
};

export function csvFields(): OwnFields<CsvDataSpec> {
  return {
    file: { rule: path, required: true, aka: ['path', 'csv'], hint: 'The CSV file, relative to the experiment file.' },
    label: { rule: column, required: true, aka: ['target', 'labelColumn', 'y'], hint: 'The name of the column to predict.' },
    features: { rule: listOf(column, { what: 'a non-empty list of column names', minLength: 1, distinct: true }), aka: ['columns', 'inputs'] },
    categorical: {
      rule: custom("a list of column names or 'auto'", (v) => v === 'auto' || (Array.isArray(v) && v.every((c) => typeof c === 'string' && c !== ''))),
      hint: "categorical: 'auto' one-hot encodes every column with a cell that is not a number.",
    },
    missing: { rule: oneOf(['drop', 'error', 'mean']) },
    testSplit,
    delimiter: {
      rule: text("one character such as ',' ';' or '\\t'", (s) => s.length === 1 && !'"\r\n'.includes(s)), aka: ['separator', 'sep'],
    },
  };
}

const finiteList = (what: string, nonZero: boolean) =>
  custom(what, (v) => Array.isArray(v) && v.length >= 1 && v.length <= 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!nonZero || x !== 0)));

export function imagesFields(): OwnFields<ImagesDataSpec> {
  return {
    folder: { rule: path, required: true, aka: ['root', 'dir', 'path'], hint: 'A folder with one subfolder of images per class, relative to the experiment file.' },
    size: {
      rule: custom('[height, width] in pixels', (v) => Array.isArray(v) && v.length === 2 && v.every((d) => Number.isInteger(d) && d > 0)),
      required: true, aka: ['imageSize', 'resize'], hint: 'For example size: [64, 64].',
    },
    channels: { rule: custom('1 (grayscale) or 3 (RGB)', (v) => v === 1 || v === 3), required: true },
    testFolder: { rule: path, aka: ['testDir', 'valFolder'] },
    testSplit,
    normalize: {
      rule: object({
        mean: { rule: finiteList('a list of numbers, one per channel', false), required: true },
        std: { rule: finiteList('a list of numbers other than 0, one per channel', true), required: true },
      }, '{ mean: [...], std: [...] }'),
      hint: "ImageNet's statistics: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }.",
    },
    augment: {
      rule: object({
        flipHorizontal: { rule: flag(), aka: ['hflip', 'horizontalFlip'] },
        randomCrop: { rule: object({ padding: { rule: number({ what: 'a whole number of pixels ≥ 0', integer: true, min: 0 }), required: true } }, '{ padding }') },
      }, '{ flipHorizontal?, randomCrop?: { padding } }'),
    },
  };
}
