// The "weightsManifest" of a tfjs model.json, checked before any shard is read: every shard a
// regular file inside the model's folder, every weight with a shape, a dtype tfjs reads and a size
// that the shards hold exactly (tfjs.io's format: https://www.tensorflow.org/js/guide/save_load).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './userError';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** Bytes per value of the dtypes tfjs stores in shards, and of its quantized forms. */
const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

const TOGETHER_HINT = 'The topology and the weights come from different saves; save them together with model.save() or tensorflowjs_converter.';

const show = (v: unknown) => JSON.stringify(v) ?? String(v);

export function weightBytes(w: WeightSpec): number {
  const perValue = w.quantization ? QUANTIZED_BYTES[w.quantization.dtype] : BYTES_PER_VALUE[w.dtype];
  return perValue * w.shape.reduce((a, b) => a * b, 1);
}

/** The groups of `manifest` (the model.json's "weightsManifest"), each field checked; a message names `file` and the weight. */
export function checkWeightsManifest(manifest: unknown, file: string): WeightGroup[] {
  const fail = (problem: string, hint: string | null = 'A model.json is written by model.save() or tensorflowjs_converter; this one was changed or cut.') =>
    new UserError(`${file}: ${problem}`, null, hint);
  if (manifest === undefined) return [];
  if (!Array.isArray(manifest)) throw fail(`"weightsManifest" must be a list of weight groups, got ${show(manifest)}.`);
  return manifest.map((group: unknown, g) => {
    const at = `weightsManifest[${g}]`;
    if (!group || typeof group !== 'object') throw fail(`${at} must be an object with "paths" and "weights", got ${show(group)}.`);
    const { paths, weights } = group as Partial<Record<'paths' | 'weights', unknown>>;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p !== '')) {
      throw fail(`${at}.paths must be a list of shard file names, got ${show(paths)}.`);
    }
    if (!Array.isArray(weights)) throw fail(`${at} has no "weights" list (it names the values its shards hold), got ${show(weights)}.`);
    return { paths: paths as string[], weights: weights.map((w: unknown, i) => checkWeight(w, `${at}.weights[${i}]`, fail)) };
  });
}

function checkWeight(w: unknown, at: string, fail: (problem: string) => UserError): WeightSpec {
  if (!w || typeof w !== 'object') throw fail(`${at} must be an object with name, shape and dtype, got ${show(w)}.`);
  const { name, shape, dtype, quantization } = w as Partial<Record<keyof WeightSpec, unknown>>;
  if (typeof name !== 'string') throw fail(`${at} has no name (got ${show(name)}).`);
  const weight = `weight "${name}"`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw fail(`${weight}: shape must be a list of sizes (whole numbers ≥ 0), got ${show(shape)}.`);
  }
  if (typeof dtype !== 'string' || !(dtype in BYTES_PER_VALUE)) {
    throw fail(`${weight}: dtype ${show(dtype)} is not one tfjs stores (${Object.keys(BYTES_PER_VALUE).join(', ')}).`);
  }
  if (quantization !== undefined) {
    const q = (quantization as { dtype?: unknown } | null)?.dtype;
    if (typeof q !== 'string' || !(q in QUANTIZED_BYTES)) {
      throw fail(`${weight}: quantization dtype ${show(q)} is not one tfjs reads (${Object.keys(QUANTIZED_BYTES).join(', ')}).`);
    }
  }
  const spec = { name, shape: shape as number[], dtype, ...(quantization !== undefined ? { quantization: quantization as { dtype: string } } : {}) };
  if (!Number.isSafeInteger(weightBytes(spec))) throw fail(`${weight}: shape [${shape.join(', ')}] is too large to be stored.`);
  return spec;
}

/**
 * The shards of `group` as paths inside the model's folder, each a regular file, and their sizes.
 * A shard outside the folder (`..`, an absolute path) or a device is refused, so loading weights
 * never reads another file of the system.
 */
export function shardFiles(file: string, group: WeightGroup): { path: string; size: number }[] {
  const dir = path.dirname(file);
  const names = group.weights.map((w) => w.name).join(', ');
  return group.paths.map((shard) => {
    const shardPath = path.resolve(dir, shard);
    const inside = path.relative(dir, shardPath);
    if (path.isAbsolute(shard) || path.win32.isAbsolute(shard) || inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
      throw new UserError(`${file}: weight shard "${shard}" (it holds ${names}) is not a file in the model's folder.`, null,
        'Shard paths are file names next to model.json; the weights of a model stay in its folder.');
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(shardPath);
    } catch {
      throw new UserError(`${file}: weight shard ${shardPath} is missing (it holds ${names}).`,
        null, 'Copy every file listed in "weightsManifest" next to model.json.');
    }
    if (!stat.isFile()) {
      throw new UserError(`${file}: weight shard ${shardPath} is not a regular file (it holds ${names}).`, null,
        'Copy every file listed in "weightsManifest" next to model.json.');
    }
    return { path: shardPath, size: stat.size };
  });
}

/** Checks the shards hold exactly the bytes the group's weights need, before reading them. */
export function checkShardSizes(file: string, group: WeightGroup, sizes: number[]): void {
  const held = sizes.reduce((a, b) => a + b, 0);
  let offset = 0;
  for (const w of group.weights) {
    const bytes = weightBytes(w);
    if (offset + bytes > held) {
      throw new UserError(`${file}: weight "${w.name}" needs bytes ${offset}..${offset + bytes} but the shards ${group.paths.join(', ')} hold only ${held} bytes.`,
        null, 'A shard is truncated: copy it again from where the model was saved.');
    }
    offset += bytes;
  }
  if (held > offset) {
    throw new UserError(`${file}: the shards ${group.paths.join(', ')} hold ${held} bytes, but the weights listed for them ` +
      `(${group.weights.map((w) => `"${w.name}"`).join(', ') || 'none'}) need ${offset}.`, null, TOGETHER_HINT);
  }
}

/** Exactly `size` bytes of `file` (never more, whatever the file does meanwhile). */
export function readExactly(file: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  const fd = fs.openSync(file, 'r');
  try {
    let done = 0;
    while (done < size) {
      const n = fs.readSync(fd, out, done, size - done, done);
      if (n === 0) throw new UserError(`${file} became shorter while it was read (${done} of ${size} bytes).`);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}
