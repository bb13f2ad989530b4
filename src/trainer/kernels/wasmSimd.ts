// Hand-written WebAssembly SIMD loops that run on tfjs-wasm's own heap: the module imports the
// backend's WebAssembly.Memory, so a kernel reads its inputs and writes its output in place, with
// no copies. A JS loop over the same data is 5–6× slower (V8 does not vectorise it). The module is
// assembled here from the instruction list below (no binary blob, no build step); the encodings are
// those of the WebAssembly core + fixed-width SIMD specs, and were checked against wabt's wat2wasm.

type Bytes = number[];

const uleb = (n: number): Bytes => {
  const out: Bytes = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): Bytes => {
  const out: Bytes = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const str = (s: string): Bytes => [...uleb(s.length), ...Array.from(Buffer.from(s, 'utf8'))];
const vec = (items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: Bytes): Bytes => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const V128 = 0x7b;
const F32 = 0x7d;
const simd = (op: number, ...rest: Bytes): Bytes => [0xfd, ...uleb(op), ...rest];

// Instructions (stack machine; each helper takes its operands as already-encoded expressions).
const get = (l: number): Bytes => [0x20, ...uleb(l)];
const set = (l: number, v: Bytes): Bytes => [...v, 0x21, ...uleb(l)];
const i32 = (n: number): Bytes => [0x41, ...sleb(n)];
const add = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x6a];
const mul = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x6c];
const sub = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x6b];
const shl = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x74];
const ltU = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x49];
const when = (cond: Bytes, body: Bytes[]): Bytes => [...cond, 0x04, 0x40, ...body.flat(), 0x0b]; // if … end
const geS = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x4e];
const load = (addr: Bytes): Bytes => [...addr, ...simd(0x00, 4, 0)];
const store = (addr: Bytes, v: Bytes): Bytes => [...addr, ...v, ...simd(0x0b, 4, 0)];
const f32x4Const = (v: number): Bytes => {
  const b = Buffer.alloc(16);
  for (let k = 0; k < 4; k++) b.writeFloatLE(v, 4 * k);
  return simd(0x0c, ...Array.from(b));
};
const and = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0x4e)];
const andNot = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0x4f)]; // a & ~b
const bitselect = (a: Bytes, b: Bytes, mask: Bytes): Bytes => [...a, ...b, ...mask, ...simd(0x52)]; // mask ? a : b
const gt = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0x44)]; // f32x4.gt
const ne = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0x42)]; // f32x4.ne
const loadF32 = (addr: Bytes): Bytes => [...addr, 0x2a, 2, 0]; // f32.load
const splat = (f: Bytes): Bytes => [...f, ...simd(0x13)]; // f32x4.splat
const vadd = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0xe4)]; // f32x4.add
const vmul = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0xe6)]; // f32x4.mul
const vsub = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0xe5)]; // f32x4.sub
const vneg = (a: Bytes): Bytes => [...a, ...simd(0xe1)]; // f32x4.neg
const vdiv = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(0xe7)]; // f32x4.div
const vsqrt = (a: Bytes): Bytes => [...a, ...simd(0xe3)]; // f32x4.sqrt
const andI32 = (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x71];
const select = (a: Bytes, b: Bytes, cond: Bytes): Bytes => [...a, ...b, ...cond, 0x1b]; // cond ? a : b

/** for (v = 0; v < limit; v += step) body — as block/loop/br_if/br; step a constant or an expression. */
const forLoop = (v: number, limit: Bytes, step: number | Bytes, body: Bytes[]): Bytes => [
  ...set(v, i32(0)),
  0x02, 0x40, 0x03, 0x40, // block, loop
  ...geS(get(v), limit), 0x0d, 1, // br_if to the block's end
  ...body.flat(),
  ...set(v, add(get(v), typeof step === 'number' ? i32(step) : step)),
  0x0c, 0, // br to the loop's start
  0x0b, 0x0b, // end loop, end block
];

/**
 * maxPoolGrad2x2(x, dy, dx, n, h, w, c, oh, ow): 2×2 windows, stride 2, no padding, c % 4 = 0, byte
 * offsets. Per window and 4 channels: the first maximum in row-major order (strict >, from -Infinity,
 * as the stock kernels) receives dy, the other three 0. Rows/columns outside every window are untouched.
 */
function maxPoolGrad2x2(): { params: number[]; locals: number[]; body: Bytes } {
  const [x, dy, dx, n, h, w, c, oh, ow] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [b, yr, yc, d, p, o, row, cb, i] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const [v00, v01, v10, v11, g, best, m0, m1, m2, m3] = [18, 19, 20, 21, 22, 23, 24, 25, 26, 27];
  const at = (base: number, ...offsets: number[]) => offsets.reduce((e, off) => add(e, get(off)), add(get(base), get(i)));
  const inner: Bytes[] = [
    set(i, add(get(p), get(d))),
    set(v00, load(at(x))),
    set(v01, load(at(x, cb))),
    set(v10, load(at(x, row))),
    set(v11, load(at(x, row, cb))),
    set(g, load(add(get(dy), add(get(o), get(d))))),
    set(best, f32x4Const(-Infinity)),
    set(m0, gt(get(v00), get(best))), set(best, bitselect(get(v00), get(best), get(m0))),
    set(m1, gt(get(v01), get(best))), set(best, bitselect(get(v01), get(best), get(m1))),
    set(m2, gt(get(v10), get(best))), set(best, bitselect(get(v10), get(best), get(m2))),
    set(m3, gt(get(v11), get(best))),
    // Keep only the last slot that raised the maximum: that is the first maximum.
    set(m2, andNot(get(m2), get(m3))),
    set(m1, andNot(andNot(get(m1), get(m3)), get(m2))),
    set(m0, andNot(andNot(andNot(get(m0), get(m3)), get(m2)), get(m1))),
    store(at(dx), and(get(g), get(m0))),
    store(at(dx, cb), and(get(g), get(m1))),
    store(at(dx, row), and(get(g), get(m2))),
    store(at(dx, row, cb), and(get(g), get(m3))),
  ];
  const body: Bytes = [
    ...set(cb, shl(get(c), i32(2))),
    ...set(row, mul(get(w), get(cb))),
    ...forLoop(b, get(n), 1, [
      forLoop(yr, get(oh), 1, [
        set(p, mul(add(mul(get(b), get(h)), shl(get(yr), i32(1))), get(row))),
        set(o, mul(mul(add(mul(get(b), get(oh)), get(yr)), get(ow)), get(cb))),
        forLoop(yc, get(ow), 1, [
          forLoop(d, get(cb), 16, inner),
          set(p, add(get(p), shl(get(cb), i32(1)))),
          set(o, add(get(o), get(cb))),
        ]),
      ]),
    ]),
  ];
  return { params: Array(9).fill(I32), locals: [...Array(9).fill(I32), ...Array(10).fill(V128)], body };
}

/** Filter-gradient functions: up to FILTER_TAPS taps per call, 1 or 2 vectors of 4 output channels. */
export const FILTER_TAPS = 5;

/**
 * filterGrad{T}x{V}(x, dy, dw, n, oh, ow, coBytes, img, strideRow, strideCol, xOff[T], dwOff[T]):
 * dw[dwOff_t + ·] += Σ_{b,r,q} x[b·img + r·strideRow + q·strideCol + xOff_t] · dy[b, r, q, ·] for T
 * filter taps (one input channel each) at once — a convolution's filter gradient as a direct loop.
 * Per output row of dy and 4·V output channels, the T·V sums stay in registers (T·V + V + 1 ≤ 13
 * vector registers), so each dy vector is loaded once for T taps and each x value splatted once for V
 * vectors. Byte offsets throughout; co·4 = coBytes must be a multiple of 16·V.
 */
function filterGrad(taps: number, vecs: number): () => { params: number[]; locals: number[]; body: Bytes } {
  return () => {
    const [x, dy, dw, n, oh, ow, cob, img, sRow, sCol] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const xOff = Array.from({ length: taps }, (_, t) => 10 + t);
    const dwOff = Array.from({ length: taps }, (_, t) => 10 + taps + t);
    const firstLocal = 10 + 2 * taps;
    const [b, r, cv, q, xr, dyRow, dyp, p] = Array.from({ length: 8 }, (_, k) => firstLocal + k);
    const acc = Array.from({ length: taps }, (_, t) => Array.from({ length: vecs }, (_, v) => firstLocal + 8 + t * vecs + v));
    const g = Array.from({ length: vecs }, (_, v) => firstLocal + 8 + taps * vecs + v);
    const xs = firstLocal + 8 + taps * vecs + vecs;
    const dwAddr = (t: number, v: number): Bytes => add(add(get(dw), get(dwOff[t])), add(get(cv), i32(16 * v)));
    const body: Bytes = [
      ...forLoop(b, get(n), 1, [
        forLoop(r, get(oh), 1, [
          set(xr, add(add(get(x), mul(get(b), get(img))), mul(get(r), get(sRow)))),
          set(dyRow, add(get(dy), mul(mul(add(mul(get(b), get(oh)), get(r)), get(ow)), get(cob)))),
          forLoop(cv, get(cob), 16 * vecs, [
            ...acc.flatMap((row, t) => row.map((a, v) => set(a, load(dwAddr(t, v))))),
            set(dyp, add(get(dyRow), get(cv))),
            set(p, get(xr)),
            forLoop(q, get(ow), 1, [
              ...g.map((l, v) => set(l, load(add(get(dyp), i32(16 * v))))),
              ...acc.flatMap((row, t) => [
                set(xs, splat(loadF32(add(get(p), get(xOff[t]))))),
                ...row.map((a, v) => set(a, vadd(get(a), vmul(get(xs), get(g[v]))))),
              ]),
              set(dyp, add(get(dyp), get(cob))),
              set(p, add(get(p), get(sCol))),
            ]),
            ...acc.flatMap((row, t) => row.map((a, v) => store(dwAddr(t, v), get(a)))),
          ]),
        ]),
      ]),
    ];
    return { params: Array(10 + 2 * taps).fill(I32), locals: [...Array(8).fill(I32), ...Array(taps * vecs + vecs + 1).fill(V128)], body };
  };
}

/** Depthwise filter-gradient functions: up to DEPTHWISE_TAPS taps per call. */
export const DEPTHWISE_TAPS = 9;

/**
 * depthwiseFilterGrad{T}(x, dy, dw, n, oh, ow, cBytes, img, strideRow, strideCol, dyPix, xOff[T], dwOff[T]):
 * dw[dwOff_t + c] += Σ_{b,r,q} x[b·img + r·strideRow + q·strideCol + xOff_t + c] · dy[(b·oh + r)·ow + q]·dyPix + c]
 * over channels c (4 at a time; cBytes = C·4, a multiple of 16) for T taps: a depthwise convolution's
 * filter gradient, channel by channel, with the T sums of 4 channels in registers. dyPix is dy's pixel
 * stride in bytes (C·M·4 when dy holds M multipliers per channel; dy then points at multiplier m).
 */
function depthwiseFilterGrad(taps: number): () => { params: number[]; locals: number[]; body: Bytes } {
  return () => {
    const [x, dy, dw, n, oh, ow, cb, img, sRow, sCol, dyPix] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const xOff = Array.from({ length: taps }, (_, t) => 11 + t);
    const dwOff = Array.from({ length: taps }, (_, t) => 11 + taps + t);
    const firstLocal = 11 + 2 * taps;
    const [b, r, cv, q, xr, dyRow, dyp, p] = Array.from({ length: 8 }, (_, k) => firstLocal + k);
    const acc = Array.from({ length: taps }, (_, t) => firstLocal + 8 + t);
    const g = firstLocal + 8 + taps;
    const dwAddr = (t: number): Bytes => add(add(get(dw), get(dwOff[t])), get(cv));
    const body: Bytes = [
      ...forLoop(b, get(n), 1, [
        forLoop(r, get(oh), 1, [
          set(xr, add(add(get(x), mul(get(b), get(img))), mul(get(r), get(sRow)))),
          set(dyRow, add(get(dy), mul(mul(add(mul(get(b), get(oh)), get(r)), get(ow)), get(dyPix)))),
          forLoop(cv, get(cb), 16, [
            ...acc.map((a, t) => set(a, load(dwAddr(t)))),
            set(dyp, add(get(dyRow), get(cv))),
            set(p, add(get(xr), get(cv))),
            forLoop(q, get(ow), 1, [
              set(g, load(get(dyp))),
              ...acc.map((a, t) => set(a, vadd(get(a), vmul(load(add(get(p), get(xOff[t]))), get(g))))),
              set(dyp, add(get(dyp), get(dyPix))),
              set(p, add(get(p), get(sCol))),
            ]),
            ...acc.map((a, t) => store(dwAddr(t), get(a))),
          ]),
        ]),
      ]),
    ];
    return { params: Array(11 + 2 * taps).fill(I32), locals: [...Array(8).fill(I32), ...Array(taps + 1).fill(V128)], body };
  };
}

/**
 * col2im(cols, dx, n, oh, ow, kh, kw, ciBytes, h, w, sh, sw, top, left): dx[b, a·sh + ti − top,
 * q·sw + tj − left, ·] += cols[b, a, q, ti, tj, ·] for every tap that lands inside dx (ci % 4 = 0).
 * With cols = dy · Wᵀ (one GEMM) this is a convolution's input gradient without the zero padding a
 * "full" convolution multiplies through. dx must be zeroed first.
 */
function col2im(): { params: number[]; locals: number[]; body: Bytes } {
  const [cols, dx, n, oh, ow, kh, kw, cib, h, w, sh, sw, top, left] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const [b, a, q, ti, tj, d, ih, iw, src, dst, s] = [14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
  const body: Bytes = [
    ...set(src, get(cols)),
    ...forLoop(b, get(n), 1, [
      forLoop(a, get(oh), 1, [
        forLoop(q, get(ow), 1, [
          forLoop(ti, get(kh), 1, [
            set(ih, sub(add(mul(get(a), get(sh)), get(ti)), get(top))),
            when(ltU(get(ih), get(h)), [
              forLoop(tj, get(kw), 1, [
                set(iw, sub(add(mul(get(q), get(sw)), get(tj)), get(left))),
                when(ltU(get(iw), get(w)), [
                  set(dst, add(get(dx), mul(add(mul(add(mul(get(b), get(h)), get(ih)), get(w)), get(iw)), get(cib)))),
                  set(s, add(get(src), mul(add(mul(get(ti), get(kw)), get(tj)), get(cib)))),
                  forLoop(d, get(cib), 16, [
                    store(add(get(dst), get(d)), vadd(load(add(get(dst), get(d))), load(add(get(s), get(d))))),
                  ]),
                ]),
              ]),
            ]),
          ]),
          set(src, add(get(src), mul(mul(get(kh), get(kw)), get(cib)))),
        ]),
      ]),
    ]),
  ];
  return { params: Array(14).fill(I32), locals: Array(11).fill(I32), body };
}

/**
 * One side of a tile transform: an image (NHWC, a window of rows×cols pixels per tile, tiles `step`
 * pixels apart, starting at (step·ty − top, step·tx − left)) or K matrices (row t = tile t, cb bytes
 * per row; K = 16 for F(2×2, 3×3), 36 for F(4×4, 3×3)).
 */
type TileSide = { kind: 'image'; rows: number; cols: number } | { kind: 'mats' };

/**
 * tile transform Y = L · X · Rᵀ per tile and 4 channels, for Winograd's F(m×m, 3×3) convolutions
 * (winograd.ts): (mat0 … matK−1, img, n, h, w, cb, th, tw, top, left, spare), byte offsets.
 * Tiles t = (b·th + ty)·tw + tx for b < n, ty < th, tx < tw; cb = bytes per pixel and per matrix
 * row (a multiple of 16). An image input reads pixels outside h×w from `spare` (cb zero bytes); an
 * image output writes pixels outside h×w into `spare` (a cb-byte sink). The window positions are
 * resolved once per tile, so the channel loop has no branches.
 */
function tileTransform(step: number, input: TileSide, output: TileSide, left: number[][], right: number[][]): () => { params: number[]; locals: number[]; body: Bytes } {
  return () => {
    const inR = left[0].length;
    const inC = right[0].length;
    const outR = left.length;
    const outC = right.length;
    const count = input.kind === 'mats' ? inR * inC : outR * outC;
    const mats = Array.from({ length: count }, (_, k) => k);
    const [img, n, h, w, cb, th, tw, top, leftPad, spare] = Array.from({ length: 10 }, (_, k) => count + k);
    const [b, ty, tx, c, moff, ih, iw] = Array.from({ length: 7 }, (_, k) => count + 10 + k);
    const image = input.kind === 'image' ? input : output.kind === 'image' ? output : null;
    if (!image) throw new Error('a tile transform needs an image on one side');
    const first = count + 17;
    const addr = Array.from({ length: image.rows * image.cols }, (_, k) => first + k);
    let next = first + addr.length;
    const vIn = Array.from({ length: inR * inC }, () => next++);
    const vMid = Array.from({ length: outR * inC }, () => next++);
    const vOut = Array.from({ length: outR * outC }, () => next++);
    /** Σ coef·local over the terms with a non-zero coefficient. */
    const combine = (terms: [number, number][]): Bytes => {
      const live = terms.filter(([k]) => k !== 0);
      if (live.length === 0) return f32x4Const(0);
      const scaled = (k: number, l: number): Bytes => (Math.abs(k) === 1 ? get(l) : vmul(get(l), f32x4Const(Math.abs(k))));
      let e = live[0][0] > 0 ? scaled(live[0][0], live[0][1]) : vneg(scaled(live[0][0], live[0][1]));
      for (const [k, l] of live.slice(1)) e = k > 0 ? vadd(e, scaled(k, l)) : vsub(e, scaled(k, l));
      return e;
    };
    const channel: Bytes[] = [];
    for (let k = 0; k < vIn.length; k++) {
      channel.push(set(vIn[k], load(add(input.kind === 'image' ? get(addr[k]) : add(get(mats[k]), get(moff)), get(c)))));
    }
    for (let r = 0; r < outR; r++) for (let j = 0; j < inC; j++) {
      channel.push(set(vMid[r * inC + j], combine(left[r].map((k, i) => [k, vIn[i * inC + j]]))));
    }
    for (let r = 0; r < outR; r++) for (let q = 0; q < outC; q++) {
      channel.push(set(vOut[r * outC + q], combine(right[q].map((k, j) => [k, vMid[r * inC + j]]))));
    }
    for (let k = 0; k < vOut.length; k++) {
      channel.push(store(add(output.kind === 'image' ? get(addr[k]) : add(get(mats[k]), get(moff)), get(c)), get(vOut[k])));
    }
    const positions: Bytes[] = [];
    for (let i = 0; i < image.rows; i++) {
      positions.push(set(ih, add(sub(mul(get(ty), i32(step)), get(top)), i32(i))));
      for (let j = 0; j < image.cols; j++) {
        positions.push(set(iw, add(sub(mul(get(tx), i32(step)), get(leftPad)), i32(j))));
        positions.push(set(addr[i * image.cols + j], select(
          add(get(img), mul(add(mul(add(mul(get(b), get(h)), get(ih)), get(w)), get(iw)), get(cb))),
          get(spare),
          andI32(ltU(get(ih), get(h)), ltU(get(iw), get(w))))));
      }
    }
    const body: Bytes = [
      ...set(moff, i32(0)),
      ...forLoop(b, get(n), 1, [
        forLoop(ty, get(th), 1, [
          forLoop(tx, get(tw), 1, [
            ...positions,
            forLoop(c, get(cb), 16, channel),
            set(moff, add(get(moff), get(cb))),
          ]),
        ]),
      ]),
    ];
    return { params: Array(count + 10).fill(I32), locals: [...Array(7 + addr.length).fill(I32), ...Array(next - first - addr.length).fill(V128)], body };
  };
}

const transposed = (m: number[][]): number[][] => m[0].map((_, j) => m.map((row) => row[j]));
/** F(m×m, 3×3) (Lavin & Gray 2015): Bᵀ for the input tile, G for the filter, Aᵀ for the output. */
export const WINOGRAD_MATRICES = {
  2: {
    BT: [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
    G: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]],
    AT: [[1, 1, 1, 0], [0, 1, -1, -1]],
  },
  4: {
    BT: [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]],
    G: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
    AT: [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
  },
} as const;
export type WinogradTile = keyof typeof WINOGRAD_MATRICES;

function winogradFunctions<M extends WinogradTile>(m: M) {
  const { BT, G, AT } = WINOGRAD_MATRICES[m] as unknown as { BT: number[][]; G: number[][]; AT: number[][] };
  const t = m + 2;
  return {
    /** V = Bᵀ·d·B: (m+2)² input windows → (m+2)² matrices [tiles, C]. */
    [`winogradInput${m}`]: tileTransform(m, { kind: 'image', rows: t, cols: t }, { kind: 'mats' }, BT, BT),
    /** y = Aᵀ·M·A: (m+2)² matrices [tiles, CO] → m×m output pixels per tile (clipped at the image's edge). */
    [`winogradOutput${m}`]: tileTransform(m, { kind: 'mats' }, { kind: 'image', rows: m, cols: m }, AT, AT),
    /** dZ = A·dy·Aᵀ: m×m output-gradient pixels per tile (zero outside) → (m+2)² matrices [tiles, CO]. */
    [`winogradOutputGrad${m}`]: tileTransform(m, { kind: 'image', rows: m, cols: m }, { kind: 'mats' }, transposed(AT), transposed(AT)),
    /** U = G·g·Gᵀ: a 3×3 HWIO filter as a 1-pixel-deep "image" of C·CO channels → (m+2)² matrices [C, CO]. */
    [`winogradFilter${m}`]: tileTransform(m, { kind: 'image', rows: 3, cols: 3 }, { kind: 'mats' }, G, G),
    /** dg = Gᵀ·dU·G: (m+2)² matrices [C, CO] → the 3×3 HWIO filter gradient. */
    [`winogradFilterGrad${m}`]: tileTransform(m, { kind: 'mats' }, { kind: 'image', rows: 3, cols: 3 }, transposed(G), transposed(G)),
  } as Record<`winograd${'Input' | 'Output' | 'OutputGrad' | 'Filter' | 'FilterGrad'}${M}`, () => { params: number[]; locals: number[]; body: Bytes }>;
}
const WINOGRAD = { ...winogradFunctions(2), ...winogradFunctions(4) };

/**
 * reluGrad(dy, x, dx, bytes): dx = dy · step(x) per element, as tfjs's Relu gradient computes it
 * (step = 1 where x > 0, NaN where x is NaN, else 0), in one pass instead of Step, Cast and Multiply.
 * bytes is a multiple of 16; the caller does the last 0–3 elements.
 */
function reluGrad(): { params: number[]; locals: number[]; body: Bytes } {
  const [dy, x, dx, bytes, i, v] = [0, 1, 2, 3, 4, 5];
  const body = forLoop(i, get(bytes), 16, [
    set(v, load(add(get(x), get(i)))),
    store(add(get(dx), get(i)), vmul(load(add(get(dy), get(i))),
      bitselect(f32x4Const(NaN), bitselect(f32x4Const(1), f32x4Const(0), gt(get(v), f32x4Const(0))), ne(get(v), get(v))))),
  ]);
  return { params: Array(4).fill(I32), locals: [I32, V128], body };
}

/** addRows(x, bias, out, rows, cb): out[r, ·] = x[r, ·] + bias[·] for rows of cb bytes (a multiple of 16): a bias add. */
function addRows(): { params: number[]; locals: number[]; body: Bytes } {
  const [x, bias, out, rows, cb, r, c, row] = [0, 1, 2, 3, 4, 5, 6, 7];
  const body = [
    ...set(row, i32(0)),
    ...forLoop(r, get(rows), 1, [
      forLoop(c, get(cb), 16, [
        store(add(add(get(out), get(row)), get(c)), vadd(load(add(add(get(x), get(row)), get(c))), load(add(get(bias), get(c))))),
      ]),
      set(row, add(get(row), get(cb))),
    ]),
  ];
  return { params: Array(5).fill(I32), locals: Array(3).fill(I32), body };
}

/**
 * sumRows(x, out, rows, cb, block): out[·] += Σ_r x[r, ·] over rows of cb bytes (a multiple of 16), in
 * blocks of `block` rows summed apart and then added to out (bounds float32 rounding like a pairwise
 * sum would); a bias gradient. out must be zeroed first.
 */
function sumRows(): { params: number[]; locals: number[]; body: Bytes } {
  const [x, out, rows, cb, block, r0, end, c, r, p, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const body = forLoop(r0, get(rows), get(block), [
    set(end, add(get(r0), get(block))),
    when(geS(get(end), get(rows)), [set(end, get(rows))]),
    forLoop(c, get(cb), 16, [
      set(acc, f32x4Const(0)),
      set(p, add(add(get(x), mul(get(r0), get(cb))), get(c))),
      forLoop(r, sub(get(end), get(r0)), 1, [
        set(acc, vadd(get(acc), load(get(p)))),
        set(p, add(get(p), get(cb))),
      ]),
      store(add(get(out), get(c)), vadd(load(add(get(out), get(c))), get(acc))),
    ]),
  ]);
  return { params: Array(5).fill(I32), locals: [...Array(5).fill(I32), V128], body };
}

/**
 * adamUpdate(value, m, v, g, newValue, newM, newV, bytes, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
 * c1, c2, epsilon, minusLr): tfjs's Adam step for one variable in one pass, with the same float32
 * operations in the same order as tf.train.adam's eleven kernels:
 *   m' = m·β1 + g·(1−β1); v' = v·β2 + g²·(1−β2); value' = (m'/c1) / (√(v'/c2) + ε) · (−lr) + value
 * (c1, c2 = 1 − β1ᵗ, 1 − β2ᵗ). bytes is a multiple of 16; the caller does the last 0–3 elements.
 */
function adamUpdate(): { params: number[]; locals: number[]; body: Bytes } {
  const [value, m, v, g, newValue, newM, newV, bytes] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [b1, omb1, b2, omb2, c1, c2, eps, negLr] = [8, 9, 10, 11, 12, 13, 14, 15];
  const [i, gv, mv, vv] = [16, 17, 18, 19];
  const sp = (l: number): Bytes => splat(get(l));
  const at = (base: number): Bytes => add(get(base), get(i));
  const body = forLoop(i, get(bytes), 16, [
    set(gv, load(at(g))),
    set(mv, vadd(vmul(load(at(m)), sp(b1)), vmul(get(gv), sp(omb1)))),
    set(vv, vadd(vmul(load(at(v)), sp(b2)), vmul(vmul(get(gv), get(gv)), sp(omb2)))),
    store(at(newM), get(mv)),
    store(at(newV), get(vv)),
    store(at(newValue), vadd(vmul(vdiv(vdiv(get(mv), sp(c1)), vadd(vsqrt(vdiv(get(vv), sp(c2))), sp(eps))), sp(negLr)), load(at(value)))),
  ]);
  return { params: [...Array(8).fill(I32), ...Array(8).fill(F32)], locals: [I32, V128, V128, V128], body };
}

const FILTER_GRADS: Record<string, () => { params: number[]; locals: number[]; body: Bytes }> = {};
for (let t = 1; t <= FILTER_TAPS; t++) for (const v of [1, 2]) FILTER_GRADS[`filterGrad${t}x${v}`] = filterGrad(t, v);

for (let t = 1; t <= DEPTHWISE_TAPS; t++) FILTER_GRADS[`depthwiseFilterGrad${t}`] = depthwiseFilterGrad(t);

const FUNCTIONS = { maxPoolGrad2x2, col2im, reluGrad, addRows, sumRows, adamUpdate, ...FILTER_GRADS, ...WINOGRAD };
type FunctionName = 'maxPoolGrad2x2' | 'col2im' | 'reluGrad' | 'addRows' | 'sumRows' | 'adamUpdate' | keyof typeof WINOGRAD | `filterGrad${number}x${number}` | `depthwiseFilterGrad${number}`;

/** The module's bytes: one imported memory ("env"."memory"), the functions above, exported by name. */
export function simdModuleBytes(): Uint8Array<ArrayBuffer> {
  const fns = Object.entries(FUNCTIONS).map(([name, make]) => ({ name, ...make() }));
  const types = fns.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec([])]);
  const localGroups = (locals: number[]): Bytes[] => {
    const groups: Bytes[] = [];
    for (let k = 0; k < locals.length;) {
      let m = k;
      while (m < locals.length && locals[m] === locals[k]) m++;
      groups.push([...uleb(m - k), locals[k]]);
      k = m;
    }
    return groups;
  };
  const bodies = fns.map((f) => {
    const code = [...vec(localGroups(f.locals)), ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec(fns.map((_, k) => uleb(k)))),
    ...section(7, vec(fns.map((f, k) => [...str(f.name), 0x00, ...uleb(k)]))),
    ...section(10, vec(bodies)),
  ]);
}

type WasmExports = Record<FunctionName, (...args: number[]) => void>;
interface WasmBackendInternals {
  wasm?: { asm?: { memory?: WebAssembly.Memory } };
  dataIdMap?: { get(dataId: object): { memoryOffset: number } | undefined };
}

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, WasmExports>();

/** Our SIMD functions bound to `backend`'s heap, or null when it is not tfjs-wasm (or SIMD is unavailable). */
export function simdKernels(backend: unknown): WasmExports | null {
  const memory = (backend as WasmBackendInternals).wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(simdModuleBytes());
    } catch {
      compiled = null; // no SIMD in this engine: callers use their JS loops
    }
  }
  if (!compiled) return null;
  let exports = instances.get(memory);
  if (!exports) {
    exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as WasmExports;
    instances.set(memory, exports);
  }
  return exports;
}

/** Byte offset of a tensor on the wasm heap. */
export function heapOffset(backend: unknown, t: { dataId: object }): number {
  const entry = (backend as WasmBackendInternals).dataIdMap?.get(t.dataId);
  if (!entry) throw new Error('tensor is not on the wasm backend');
  return entry.memoryOffset;
}
