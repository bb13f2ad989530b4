// Builds small IDX files for tests with Buffer's big-endian writers (independent of the reader's DataView).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import assert from 'node:assert/strict';
import { UserError } from '../../src/model/userError';

export const UBYTE = 0x08;
export const BYTE = 0x09;
export const SHORT = 0x0b;
export const INT = 0x0c;
export const FLOAT = 0x0d;
export const DOUBLE = 0x0e;

const SIZES: Record<number, number> = { [UBYTE]: 1, [BYTE]: 1, [SHORT]: 2, [INT]: 4, [FLOAT]: 4, [DOUBLE]: 8 };

export function idxBytes(typeCode: number, dims: number[], values: ArrayLike<number>): Buffer {
  const size = SIZES[typeCode];
  const header = 4 + 4 * dims.length;
  const buf = Buffer.alloc(header + values.length * size);
  buf[2] = typeCode;
  buf[3] = dims.length;
  dims.forEach((d, i) => buf.writeInt32BE(d, 4 + 4 * i));
  for (let i = 0; i < values.length; i++) {
    const o = header + i * size;
    const v = values[i];
    if (typeCode === UBYTE) buf.writeUInt8(v, o);
    else if (typeCode === BYTE) buf.writeInt8(v, o);
    else if (typeCode === SHORT) buf.writeInt16BE(v, o);
    else if (typeCode === INT) buf.writeInt32BE(v, o);
    else if (typeCode === FLOAT) buf.writeFloatBE(v, o);
    else buf.writeDoubleBE(v, o);
  }
  return buf;
}

export const tmpDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ml-${prefix}-`));

export interface FakeSplit {
  /** One array of rows*cols pixels per image. */
  images: number[][];
  labels: number[];
}

/** Writes MNIST-named IDX files for the two splits into `dir` (gzip or brotli, with `.gz`/`.br` names, if asked). */
export function writeImageFolder(
  dir: string,
  rows: number,
  cols: number,
  train: FakeSplit,
  test: FakeSplit,
  options: { gz?: boolean; br?: boolean } = {},
): void {
  fs.mkdirSync(dir, { recursive: true });
  const write = (name: string, bytes: Buffer) => {
    if (options.gz) fs.writeFileSync(path.join(dir, `${name}.gz`), zlib.gzipSync(bytes));
    else if (options.br) fs.writeFileSync(path.join(dir, `${name}.br`), zlib.brotliCompressSync(bytes));
    else fs.writeFileSync(path.join(dir, name), bytes);
  };
  for (const [prefix, split] of [['train', train], ['t10k', test]] as const) {
    write(`${prefix}-images-idx3-ubyte`, idxBytes(UBYTE, [split.images.length, rows, cols], split.images.flat()));
    write(`${prefix}-labels-idx1-ubyte`, idxBytes(UBYTE, [split.labels.length], split.labels));
  }
}

/** `count` images whose pixels all equal `first + index` (mod 256): each sample identifies itself. */
export function numberedSplit(count: number, pixels: number, first = 0, numClasses = 10): FakeSplit {
  return {
    images: Array.from({ length: count }, (_, i) => new Array<number>(pixels).fill((first + i) % 256)),
    labels: Array.from({ length: count }, (_, i) => (first + i) % numClasses),
  };
}

/** Asserts `f` throws a UserError whose message (and hint) match every pattern. */
export function throwsUserError(f: () => unknown, ...patterns: (RegExp | string)[]): UserError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UserError, `expected a UserError, got ${caught === undefined ? 'no error' : String(caught)}`);
  const text = caught.format();
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(text.includes(p), `${JSON.stringify(text)} should contain ${JSON.stringify(p)}`);
    else assert.match(text, p);
  }
  return caught;
}
