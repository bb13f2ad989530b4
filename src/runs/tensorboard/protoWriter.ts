// A protocol-buffer encoder for the few wire types event files use: varints, 64-bit doubles,
// 32-bit floats, length-delimited strings and messages, packed doubles. Fields are written in the
// order they are called; a nested message is encoded first and written with its length.

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
const UTF8 = new TextEncoder();

export class ProtoWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  /** A non-negative integer up to 2⁵³ (int64/uint64 fields, lengths, tags). */
  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint must be a non-negative safe integer, got ${value}`);
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buffer[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buffer[this.length++] = v;
    return this;
  }

  private tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  int64(field: number, value: number): this {
    return this.tag(field, VARINT).varint(value);
  }

  double(field: number, value: number): this {
    this.tag(field, FIXED64).reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, FIXED32).reserve(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED).varint(value.length).reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, UTF8.encode(value));
  }

  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  packedDoubles(field: number, values: readonly number[]): this {
    this.tag(field, LENGTH_DELIMITED).varint(values.length * 8).reserve(values.length * 8);
    for (const v of values) {
      this.view.setFloat64(this.length, v, true);
      this.length += 8;
    }
    return this;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(n: number): this {
    if (this.length + n <= this.buffer.length) return this;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
    return this;
  }
}
