// IDX files, the format MNIST and Fashion-MNIST ship in (http://yann.lecun.com/exdb/mnist/):
//   bytes 0-1  zero
//   byte  2    type code: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double
//   byte  3    number of dimensions
//   then one big-endian int32 per dimension, then the values, big-endian, row-major.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { UserError } from '../model/userError';

export type IdxType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dims: number[];
  type: IdxType;
  data: IdxData;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'ubyte', size: 1 },
  0x09: { type: 'byte', size: 1 },
  0x0b: { type: 'short', size: 2 },
  0x0c: { type: 'int', size: 4 },
  0x0d: { type: 'float', size: 4 },
  0x0e: { type: 'double', size: 8 },
};

const FORMAT_HINT =
  'IDX files start with 2 zero bytes, a type code (0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, ' +
  '0x0D float, 0x0E double), the number of dimensions, one big-endian int32 per dimension, then the data.';

const hex = (b: number) => `0x${b.toString(16).padStart(2, '0').toUpperCase()}`;
const plural = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads an IDX file, plain, gzip-compressed (`.gz`; gzip content is also recognised under another
 * name, since its first bytes can never be a valid IDX header) or brotli-compressed (`.br`: brotli
 * has no signature, so only by name; the bundled MNIST is stored that way).
 * Throws a UserError naming the file and what is wrong with it.
 */
export function readIdx(file: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`IDX file not found: ${file}`, null, FORMAT_HINT);
    if (code === 'EISDIR') throw new UserError(`${file} is a folder, not an IDX file`);
    throw new UserError(`cannot read IDX file ${file}: ${(e as Error).message}`);
  }
  if (file.toLowerCase().endsWith('.gz') && !isGzip(bytes)) {
    const start = bytes.length >= 2 ? `${hex(bytes[0])} ${hex(bytes[1])}` : `only ${plural(bytes.length, 'byte')}`;
    throw new UserError(
      `${file} is named .gz but is not gzip data (it starts with ${start}, gzip starts with 0x1F 0x8B)`,
      null,
      'Rename it without .gz if it is an uncompressed IDX file, or compress it with gzip.',
    );
  }
  const brotli = file.toLowerCase().endsWith('.br');
  if (brotli || isGzip(bytes)) {
    try {
      bytes = brotli ? zlib.brotliDecompressSync(bytes) : zlib.gunzipSync(bytes);
    } catch (e) {
      throw new UserError(
        `${file}: cannot decompress ${brotli ? 'brotli' : 'gzip'} data (${(e as Error).message}); the file is corrupt or incomplete`,
        null,
        'Download or copy the file again.',
      );
    }
  }
  return parseIdx(bytes, file);
}

/** Parses IDX bytes (already decompressed). `file` is only used in messages. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) {
    throw new UserError(
      `${file} is too short for an IDX header: ${plural(bytes.length, 'byte')}, the header needs at least 4`,
      null,
      FORMAT_HINT,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new UserError(
      `${file} is not an IDX file: bad magic number (first two bytes are ${hex(bytes[0])} ${hex(bytes[1])}, expected 0x00 0x00)`,
      null,
      FORMAT_HINT,
    );
  }
  const typeInfo = TYPES[bytes[2]];
  if (!typeInfo) {
    throw new UserError(
      `${file}: unknown IDX type code ${hex(bytes[2])} in byte 3 of the header`,
      null,
      FORMAT_HINT,
    );
  }
  const ndims = bytes[3];
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new UserError(
      `${file} is too short for its IDX header: it declares ${plural(ndims, 'dimension')}, so the header ` +
        `needs ${headerBytes} bytes, but the file has ${plural(bytes.length, 'byte')}`,
      null,
      FORMAT_HINT,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const size = view.getInt32(4 + 4 * d, false);
    if (size < 0) throw new UserError(`${file}: dimension ${d} has a negative size (${size})`, null, FORMAT_HINT);
    dims.push(size);
    count *= size;
  }
  const expected = count * typeInfo.size;
  const found = bytes.length - headerBytes;
  if (found !== expected) {
    const shape = `${dims.join('×') || 'scalar'} ${typeInfo.type}`;
    const problem =
      found < expected
        ? `is truncated: its header declares ${shape} values, which need ${plural(expected, 'byte')} of data, ` +
          `but only ${plural(found, 'byte')} follow the header`
        : `has ${plural(found - expected, 'extra byte')} after the data: its header declares ${shape} values ` +
          `(${plural(expected, 'byte')}), and ${plural(found, 'byte')} follow the header`;
    throw new UserError(`${file} ${problem}`, null, 'Download or copy the file again; it is incomplete or not what its header says.');
  }
  return { dims, type: typeInfo.type, data: decode(view, headerBytes, count, typeInfo.type) };
}

function decode(view: DataView, offset: number, count: number, type: IdxType): IdxData {
  const start = view.byteOffset + offset;
  switch (type) {
    case 'ubyte':
      return new Uint8Array(view.buffer, start, count);
    case 'byte':
      return new Int8Array(view.buffer, start, count);
    case 'short': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'double': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}
