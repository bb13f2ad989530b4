// The tile transforms of Winograd's F(m×m, 3×3) convolutions (winograd.ts runs them): input
// windows, filters and output gradients into (m+2)² matrices and back, 4 channels at a time.
import { type Bytes, I32, V128, type WasmFunction, add, andI32, f32x4Const, forLoop, get, i32, load, ltU, mul, select, set, store, sub, vadd, vmul, vneg, vsub } from './instructions';

/**
 * One side of a tile transform: an image (NHWC, a window of rows×cols pixels per tile, tiles `step`
 * pixels apart, starting at (step·ty − top, step·tx − left)) or K matrices (row t = tile t, cb bytes
 * per row; K = 16 for F(2×2, 3×3), 36 for F(4×4, 3×3)).
 */
type TileSide = { kind: 'image'; rows: number; cols: number } | { kind: 'mats' };

/**
 * tile transform Y = L · X · Rᵀ per tile and 4 channels, for Winograd's F(m×m, 3×3) convolutions
 * (winograd.ts): (mat0 … matK−1, img, n, h, w, cb, th, tw, top, left, spare[, pixel]), byte offsets.
 * Tiles t = (b·th + ty)·tw + tx for b < n, ty < th, tx < tw; cb = the bytes of channels transformed
 * (a multiple of 16), `pixel` = bytes per pixel and per matrix row (left out or 0: cb; more when a
 * call transforms one band of the channels). An image input reads pixels outside h×w from `spare`
 * (cb zero bytes); an image output writes pixels outside h×w into `spare` (a cb-byte sink). The
 * window positions are resolved once per tile, so the channel loop has no branches.
 */
function tileTransform(step: number, input: TileSide, output: TileSide, left: number[][], right: number[][]): () => WasmFunction {
  return () => {
    const inR = left[0].length;
    const inC = right[0].length;
    const outR = left.length;
    const outC = right.length;
    const count = input.kind === 'mats' ? inR * inC : outR * outC;
    const mats = Array.from({ length: count }, (_, k) => k);
    const [img, n, h, w, cb, th, tw, top, leftPad, spare, pixel] = Array.from({ length: 11 }, (_, k) => count + k);
    const [b, ty, tx, c, moff, ih, iw] = Array.from({ length: 7 }, (_, k) => count + 11 + k);
    const image = input.kind === 'image' ? input : output.kind === 'image' ? output : null;
    if (!image) throw new Error('a tile transform needs an image on one side');
    const first = count + 18;
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
          add(get(img), mul(add(mul(add(mul(get(b), get(h)), get(ih)), get(w)), get(iw)), get(pixel))),
          get(spare),
          andI32(ltU(get(ih), get(h)), ltU(get(iw), get(w))))));
      }
    }
    const body: Bytes = [
      ...set(pixel, select(get(pixel), get(cb), get(pixel))),
      ...set(moff, i32(0)),
      ...forLoop(b, get(n), 1, [
        forLoop(ty, get(th), 1, [
          forLoop(tx, get(tw), 1, [
            ...positions,
            forLoop(c, get(cb), 16, channel),
            set(moff, add(get(moff), get(pixel))),
          ]),
        ]),
      ]),
    ];
    return { params: Array(count + 11).fill(I32), locals: [...Array(7 + addr.length).fill(I32), ...Array(next - first - addr.length).fill(V128)], body };
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
  } as Record<`winograd${'Input' | 'Output' | 'OutputGrad' | 'Filter' | 'FilterGrad'}${M}`, () => WasmFunction>;
}
/** The Winograd tile transforms of both tile sizes, by function name. */
export const WINOGRAD = { ...winogradFunctions(2), ...winogradFunctions(4) };
