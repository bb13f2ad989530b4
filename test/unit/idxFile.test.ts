import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readIdx } from '../../src/data/idxFile';
import { BYTE, DOUBLE, FLOAT, INT, SHORT, UBYTE, idxBytes, throwsUserError, tmpDir } from './idxTestFiles';

const dir = tmpDir('idx');
let n = 0;
function write(bytes: Uint8Array, name = `file${n++}-idx`): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('readIdx: parsing each value type', () => {
  it('reads a ubyte label file written byte by byte (magic 0x00000801, big-endian count)', () => {
    const file = write(Uint8Array.from([0, 0, 0x08, 1, 0, 0, 0, 3, 5, 0, 255]));
    const idx = readIdx(file);
    assert.equal(idx.type, 'ubyte');
    assert.deepEqual(idx.dims, [3]);
    assert.ok(idx.data instanceof Uint8Array);
    assert.deepEqual([...idx.data], [5, 0, 255]);
  });

  it('reads 3-D ubyte images (magic 0x00000803) in row-major order', () => {
    const pixels = Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
    const idx = readIdx(write(idxBytes(UBYTE, [2, 3, 4], pixels)));
    assert.deepEqual(idx.dims, [2, 3, 4]);
    assert.deepEqual([...idx.data], pixels);
  });

  it('reads dimensions above 2^16 and 2^24 as big-endian', () => {
    const idx = readIdx(write(Uint8Array.from([0, 0, 0x08, 2, 0, 0, 0, 1, 0, 0, 0, 2, 7, 8])));
    assert.deepEqual(idx.dims, [1, 2]);
    const header = Buffer.alloc(8);
    header.set([0, 0, 0x08, 1]);
    header.writeInt32BE(70_000, 4);
    const big = readIdx(write(Buffer.concat([header, Buffer.alloc(70_000, 3)])));
    assert.deepEqual(big.dims, [70_000]);
    assert.equal(big.data.length, 70_000);
  });

  it('reads signed bytes', () => {
    const idx = readIdx(write(idxBytes(BYTE, [4], [-128, -1, 0, 127])));
    assert.equal(idx.type, 'byte');
    assert.ok(idx.data instanceof Int8Array);
    assert.deepEqual([...idx.data], [-128, -1, 0, 127]);
  });

  it('converts big-endian shorts', () => {
    const idx = readIdx(write(idxBytes(SHORT, [2, 2], [-32768, -2, 258, 32767])));
    assert.equal(idx.type, 'short');
    assert.ok(idx.data instanceof Int16Array);
    assert.deepEqual([...idx.data], [-32768, -2, 258, 32767]);
  });

  it('converts big-endian int32s, negative ones included', () => {
    const values = [-2147483648, -1, 0, 1, 0x01020304, 2147483647];
    const idx = readIdx(write(idxBytes(INT, [6], values)));
    assert.equal(idx.type, 'int');
    assert.ok(idx.data instanceof Int32Array);
    assert.deepEqual([...idx.data], values);
    // The byte layout is big-endian: 0x01020304 is stored as 01 02 03 04.
    const raw = fs.readFileSync(path.join(dir, `file${n - 1}-idx`));
    assert.deepEqual([...raw.subarray(8 + 16, 8 + 20)], [1, 2, 3, 4]);
  });

  it('converts big-endian float32s', () => {
    const values = [0, -1.5, 3.25, 1e-30, Math.fround(Math.PI), Number.POSITIVE_INFINITY];
    const idx = readIdx(write(idxBytes(FLOAT, [3, 2], values)));
    assert.equal(idx.type, 'float');
    assert.ok(idx.data instanceof Float32Array);
    assert.deepEqual([...idx.data], values.map(Math.fround));
  });

  it('converts big-endian float64s', () => {
    const values = [Math.PI, -Math.E, 1e300];
    const idx = readIdx(write(idxBytes(DOUBLE, [3], values)));
    assert.equal(idx.type, 'double');
    assert.ok(idx.data instanceof Float64Array);
    assert.deepEqual([...idx.data], values);
  });

  it('reads an empty array (a dimension of 0)', () => {
    const idx = readIdx(write(idxBytes(UBYTE, [0, 28, 28], [])));
    assert.deepEqual(idx.dims, [0, 28, 28]);
    assert.equal(idx.data.length, 0);
  });
});

describe('readIdx: gzip', () => {
  it('decompresses a .gz file', () => {
    const values = [-5, 6, 1_000_000];
    const idx = readIdx(write(zlib.gzipSync(idxBytes(INT, [3], values)), 'labels-idx1-int.gz'));
    assert.deepEqual([...idx.data], values);
  });

  it('also recognises gzip content under a name without .gz (it cannot be an IDX header)', () => {
    const idx = readIdx(write(zlib.gzipSync(idxBytes(UBYTE, [2], [1, 2])), 'renamed-idx1-ubyte'));
    assert.deepEqual([...idx.data], [1, 2]);
  });

  it('says a file named .gz is not gzip data, naming the file', () => {
    const file = write(idxBytes(UBYTE, [2], [1, 2]), 'plain-idx1-ubyte.gz');
    throwsUserError(() => readIdx(file), file, /named \.gz but is not gzip data/, '0x00 0x00');
  });

  it('says a truncated gzip file cannot be decompressed, naming the file', () => {
    const gz = zlib.gzipSync(idxBytes(UBYTE, [1000], new Array(1000).fill(7)));
    const file = write(gz.subarray(0, gz.length - 10), 'cut-idx1-ubyte.gz');
    throwsUserError(() => readIdx(file), file, /cannot decompress gzip data/);
  });
});

describe('readIdx: brotli', () => {
  it('decompresses a .br file (the bundled MNIST is stored so)', () => {
    const values = [-5, 6, 1_000_000];
    const idx = readIdx(write(zlib.brotliCompressSync(idxBytes(INT, [3], values)), 'labels-idx1-int.br'));
    assert.deepEqual([...idx.data], values);
  });

  it('says a truncated .br file cannot be decompressed, naming the file', () => {
    const br = zlib.brotliCompressSync(idxBytes(UBYTE, [1000], Array.from({ length: 1000 }, (_, i) => (i * 7919) % 251)));
    const file = write(br.subarray(0, br.length - 10), 'cut-idx1-ubyte.br');
    throwsUserError(() => readIdx(file), file, /cannot decompress brotli data/);
  });
});

describe('readIdx: missing and corrupt files', () => {
  it('says a missing file is not found, naming it', () => {
    const file = path.join(dir, 'no-such-idx1-ubyte');
    throwsUserError(() => readIdx(file), `IDX file not found: ${file}`);
  });

  it('says a file shorter than the 4-byte magic is too short for its header', () => {
    const file = write(Uint8Array.from([0, 0, 8]));
    throwsUserError(() => readIdx(file), file, /too short for an IDX header: 3 bytes/);
  });

  it('says a header cut inside its dimensions is too short, with the bytes needed and found', () => {
    const file = write(Uint8Array.from([0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0]));
    throwsUserError(() => readIdx(file), file, /too short for its IDX header/, '3 dimensions', 'needs 16 bytes', 'has 10 bytes');
  });

  it('says the magic number is bad when the first two bytes are not zero', () => {
    const bytes = idxBytes(UBYTE, [2], [1, 2]);
    bytes[0] = 0x50;
    bytes[1] = 0x4b; // "PK", a zip file.
    const file = write(bytes);
    throwsUserError(() => readIdx(file), file, /bad magic number/, '0x50 0x4B');
  });

  it('says which type code is unknown', () => {
    const bytes = idxBytes(UBYTE, [2], [1, 2]);
    bytes[2] = 0x0a;
    const file = write(bytes);
    throwsUserError(() => readIdx(file), file, /unknown IDX type code 0x0A/);
  });

  it('says truncated data is truncated, with the bytes expected and found', () => {
    const full = idxBytes(UBYTE, [10, 28, 28], new Array(7840).fill(1));
    const file = write(full.subarray(0, full.length - 40));
    throwsUserError(() => readIdx(file), file, /is truncated/, '10×28×28 ubyte', '7,840 bytes', 'only 7,800 bytes');
  });

  it('counts bytes, not values, for multi-byte types when truncated', () => {
    const full = idxBytes(FLOAT, [4], [1, 2, 3, 4]);
    const file = write(full.subarray(0, full.length - 1));
    throwsUserError(() => readIdx(file), file, /is truncated/, '16 bytes', 'only 15 bytes');
  });

  it('says when there are bytes after the data the header declares', () => {
    const file = write(Buffer.concat([idxBytes(UBYTE, [2], [1, 2]), Buffer.from([9, 9, 9])]));
    throwsUserError(() => readIdx(file), file, /3 extra bytes after the data/);
  });

  it('says a negative dimension is invalid', () => {
    const bytes = idxBytes(UBYTE, [1], [0]);
    bytes.writeInt32BE(-1, 4);
    const file = write(bytes);
    throwsUserError(() => readIdx(file), file, /negative size/);
  });
});
