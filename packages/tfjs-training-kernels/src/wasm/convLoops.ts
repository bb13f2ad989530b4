// The SIMD loops of pooling and the convolution gradients: MaxPool, its gradient for 2×2 windows, a
// convolution's and a depthwise convolution's filter gradient as direct loops, and col2im for the
// input gradient. Each function builds one WebAssembly function (wasmSimd.ts assembles the module).
import { type Bytes, I32, type LoopOptions, V128, type WasmFunction, add, and, andNot, bitselect, f32x4Const, forLoop, get, gt, gtS, i32, load, loadF32, ltS, ltU, mul, set, shl, splat, store, sub, vadd, vmadd, vmul, when } from './instructions';

/**
 * maxPoolGrad2x2(x, dy, dx, n, h, w, c, oh, ow): 2×2 windows, stride 2, no padding, c % 4 = 0, byte
 * offsets. Per window and 4 channels: the first maximum in row-major order (strict >, from -Infinity,
 * as the stock kernels) receives dy, the other three 0. Rows/columns outside every window are untouched.
 */
export function maxPoolGrad2x2(): WasmFunction {
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

/**
 * maxPool(x, out, n, h, w, cb, oh, ow, kh, kw, sh, sw, top, left): out[b, oy, ox, ·] = the largest of
 * x[b, iy, ix, ·] over the kh×kw window at (oy·sh − top, ox·sw − left), clipped to the image; cb =
 * channels·4 bytes, a multiple of 16. As the stock kernels: strict >, from -Infinity, so a NaN never
 * wins (the first maximum, the one MaxPoolGrad's gradient goes to, is the value).
 */
export function maxPool(): WasmFunction {
  const [x, out, n, h, w, cb, oh, ow, kh, kw, sh, sw, top, left] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const [b, oy, ox, y0, y1, x0, x1, d, t, u, p, o, row] = [14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26];
  const [best, v] = [27, 28];
  const clip = (lo: number, hi: number, start: Bytes, size: number, limit: number): Bytes[] => [
    set(lo, start),
    set(hi, add(get(lo), get(size))),
    when(gtS(get(hi), get(limit)), [set(hi, get(limit))]),
    when(ltS(get(lo), i32(0)), [set(lo, i32(0))]),
  ];
  const body: Bytes = [
    ...set(row, mul(get(w), get(cb))),
    ...set(o, get(out)),
    ...forLoop(b, get(n), 1, [
      forLoop(oy, get(oh), 1, [
        ...clip(y0, y1, sub(mul(get(oy), get(sh)), get(top)), kh, h),
        forLoop(ox, get(ow), 1, [
          ...clip(x0, x1, sub(mul(get(ox), get(sw)), get(left)), kw, w),
          forLoop(d, get(cb), 16, [
            set(best, f32x4Const(-Infinity)),
            forLoop(t, sub(get(y1), get(y0)), 1, [
              set(p, add(add(add(get(x), mul(add(mul(get(b), get(h)), add(get(y0), get(t))), get(row))), mul(get(x0), get(cb))), get(d))),
              forLoop(u, sub(get(x1), get(x0)), 1, [
                set(v, load(get(p))),
                set(best, bitselect(get(v), get(best), gt(get(v), get(best)))),
                set(p, add(get(p), get(cb))),
              ]),
            ]),
            store(add(get(o), get(d)), get(best)),
          ]),
          set(o, add(get(o), get(cb))),
        ]),
      ]),
    ]),
  ];
  return { params: Array(14).fill(I32), locals: [...Array(13).fill(I32), V128, V128], body };
}

/**
 * maxPool2x2(x, out, n, h, w, cb, oh, ow): maxPool's 2×2 windows at stride 2 without padding (every
 * window inside the image), the same comparisons in the same order without the general loop's bounds.
 */
export function maxPool2x2(): WasmFunction {
  const [x, out, n, h, w, cb, oh, ow] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [b, oy, ox, d, p, o, row, i] = [8, 9, 10, 11, 12, 13, 14, 15];
  const [best, v] = [16, 17];
  const raise = (at: Bytes): Bytes[] => [set(v, load(at)), set(best, bitselect(get(v), get(best), gt(get(v), get(best))))];
  const body: Bytes = [
    ...set(row, mul(get(w), get(cb))),
    ...set(o, get(out)),
    ...forLoop(b, get(n), 1, [
      forLoop(oy, get(oh), 1, [
        set(p, add(get(x), mul(add(mul(get(b), get(h)), shl(get(oy), i32(1))), get(row)))),
        forLoop(ox, get(ow), 1, [
          forLoop(d, get(cb), 16, [
            set(i, add(get(p), get(d))),
            set(best, f32x4Const(-Infinity)),
            ...raise(get(i)),
            ...raise(add(get(i), get(cb))),
            ...raise(add(get(i), get(row))),
            ...raise(add(add(get(i), get(row)), get(cb))),
            store(add(get(o), get(d)), get(best)),
          ]),
          set(p, add(get(p), shl(get(cb), i32(1)))),
          set(o, add(get(o), get(cb))),
        ]),
      ]),
    ]),
  ];
  return { params: Array(8).fill(I32), locals: [...Array(8).fill(I32), V128, V128], body };
}

/** Filter-gradient functions: up to FILTER_TAPS taps per call, 1 or 2 vectors of 4 output channels. */
export const FILTER_TAPS = 5;

/**
 * filterGrad{T}x{V}(x, dy, dw, n, oh, ow, coBytes, img, strideRow, strideCol, xOff[T], dwOff[T]):
 * dw[dwOff_t + ·] += Σ_{b,r,q} x[b·img + r·strideRow + q·strideCol + xOff_t] · dy[b, r, q, ·] for T
 * filter taps (one input channel each) at once — a convolution's filter gradient as a direct loop.
 * Per output row of dy and 4·V output channels, the T·V sums stay in registers (T·V + V + 1 ≤ 13
 * vector registers), so each dy vector is loaded once for T taps and each x value splatted once for V
 * vectors (multiply-adds fused with `fma`). Byte offsets throughout; co·4 = coBytes must be a multiple of 16·V.
 */
export function filterGrad(taps: number, vecs: number): (options: LoopOptions) => WasmFunction {
  return ({ fma }) => {
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
                ...row.map((a, v) => set(a, fma ? vmadd(get(xs), get(g[v]), get(a)) : vadd(get(a), vmul(get(xs), get(g[v]))))),
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
export function depthwiseFilterGrad(taps: number): () => WasmFunction {
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
export function col2im(): WasmFunction {
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
