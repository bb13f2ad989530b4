// WebAssembly's binary encoding, as much as the SIMD loops need: LEB128 numbers, sections, value
// types, and one helper per instruction (a stack machine: each takes its operands as already-encoded
// expressions). The encodings are those of the WebAssembly core and fixed-width SIMD specs.

export type Bytes = number[];

export const uleb = (n: number): Bytes => {
  const out: Bytes = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
export const sleb = (n: number): Bytes => {
  const out: Bytes = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
export const str = (s: string): Bytes => {
  const utf8 = Array.from(new TextEncoder().encode(s));
  return [...uleb(utf8.length), ...utf8];
};
export const vec = (items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: Bytes): Bytes => [id, ...uleb(body.length), ...body];

export const I32 = 0x7f;
export const V128 = 0x7b;
export const F32 = 0x7d;
export const simd = (op: number, ...rest: Bytes): Bytes => [0xfd, ...uleb(op), ...rest];

// Instructions (stack machine; each helper takes its operands as already-encoded expressions).
export const get = (l: number): Bytes => [0x20, ...uleb(l)];
export const set = (l: number, v: Bytes): Bytes => [...v, 0x21, ...uleb(l)];
export const i32 = (n: number): Bytes => [0x41, ...sleb(n)];
export const add = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x6a];
export const mul = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x6c];
export const sub = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x6b];
export const shl = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x74];
export const ltU = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x49];
export const when = (cond: Bytes, body: Bytes[]): Bytes => [...cond, 0x04, 0x40, ...body.flat(), 0x0b]; // if … end
export const geS = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x4e];
export const ltS = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x48];
export const gtS = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x4a];
export const load = (addr: Bytes): Bytes => [...addr, ...simd(0x00, 4, 0)];
export const store = (addr: Bytes, v: Bytes): Bytes => [...addr, ...v, ...simd(0x0b, 4, 0)];
export const f32x4Const = (v: number): Bytes => {
  const b = new DataView(new ArrayBuffer(16));
  for (let k = 0; k < 4; k++) b.setFloat32(4 * k, v, true);
  return simd(0x0c, ...Array.from(new Uint8Array(b.buffer)));
};
export const and = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0x4e)];
export const andNot = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0x4f)]; // a & ~b
export const bitselect = (a: Bytes, b: Bytes, mask: Bytes): Bytes => [...a, ...b, ...mask, ...simd(0x52)]; // mask ? a : b
export const gt = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0x44)]; // f32x4.gt
export const lt = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0x43)]; // f32x4.lt
export const ne = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0x42)]; // f32x4.ne
export const loadF32 = (addr: Bytes): Bytes => [...addr, 0x2a, 2, 0]; // f32.load
export const splat = (f: Bytes): Bytes => [...f, ...simd(0x13)]; // f32x4.splat
export const vadd = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0xe4)]; // f32x4.add
export const vmul = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0xe6)]; // f32x4.mul
/** a·b + c, fused where the CPU has FMA (relaxed SIMD's f32x4.relaxed_madd: Node 20 needs --experimental-wasm-relaxed-simd). */
export const vmadd = (a: Bytes, b: Bytes, c: Bytes): Bytes => [...a, ...b, ...c, ...simd(0x105)];
export const vsub = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0xe5)]; // f32x4.sub
export const vneg = (a: Bytes): Bytes => [...a, ...simd(0xe1)]; // f32x4.neg
export const vdiv = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0xe7)]; // f32x4.div
export const vsqrt = (a: Bytes): Bytes => [...a, ...simd(0xe3)]; // f32x4.sqrt
export const vabs = (a: Bytes): Bytes => [...a, ...simd(0xe0)]; // f32x4.abs
export const vmax = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0xe9)]; // f32x4.max (NaN if either is)
export const andI32 = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x71];
export const select = (a: Bytes, b: Bytes, cond: Bytes): Bytes => [...a, ...b, ...cond, 0x1b]; // cond ? a : b

/** for (v = 0; v < limit; v += step) body — as block/loop/br_if/br; step a constant or an expression. */
export const forLoop = (v: number, limit: Bytes, step: number | Bytes, body: Bytes[]): Bytes => [
  ...set(v, i32(0)),
  0x02, 0x40, 0x03, 0x40, // block, loop
  ...geS(get(v), limit), 0x0d, 1, // br_if to the block's end
  ...body.flat(),
  ...set(v, add(get(v), typeof step === 'number' ? i32(step) : step)),
  0x0c, 0, // br to the loop's start
  0x0b, 0x0b, // end loop, end block
];

/** What the engine offers the loops: relaxed SIMD's fused multiply-add. */
export interface LoopOptions {
  fma: boolean;
}

/** One function of the module: its parameter and local types, and its body. */
export interface WasmFunction {
  params: number[];
  locals: number[];
  body: Bytes;
}
