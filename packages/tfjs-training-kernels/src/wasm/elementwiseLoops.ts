// The element-wise SIMD loops: Relu and its gradient, a bias add and a bias gradient's sum over rows,
// Adam's step for one variable, a strided copy of rows, and a tensor's magnitudes (Σx², Σ|x|, max |x|).
import { type Bytes, F32, I32, V128, type WasmFunction, add, bitselect, f32x4Const, forLoop, geS, get, gt, i32, load, lt, mul, ne, set, splat, store, sub, vabs, vadd, vdiv, vmax, vmul, vsqrt, vsub, when } from './instructions';

/**
 * reluGrad(dy, x, dx, bytes): dx = dy · step(x) per element, as tfjs's Relu gradient computes it
 * (step = 1 where x > 0, NaN where x is NaN, else 0), in one pass instead of Step, Cast and Multiply.
 * bytes is a multiple of 16; the caller does the last 0–3 elements.
 */
export function reluGrad(): WasmFunction {
  const [dy, x, dx, bytes, i, v] = [0, 1, 2, 3, 4, 5];
  const body = forLoop(i, get(bytes), 16, [
    set(v, load(add(get(x), get(i)))),
    store(add(get(dx), get(i)), vmul(load(add(get(dy), get(i))),
      bitselect(f32x4Const(NaN), bitselect(f32x4Const(1), f32x4Const(0), gt(get(v), f32x4Const(0))), ne(get(v), get(v))))),
  ]);
  return { params: Array(4).fill(I32), locals: [I32, V128], body };
}

/**
 * relu(x, out, bytes): out = x < 0 ? 0 : x per element, as tfjs's Relu (NaN and -0 pass through).
 * bytes is a multiple of 16; the caller does the last 0–3 elements.
 */
export function relu(): WasmFunction {
  const [x, out, bytes, i, v] = [0, 1, 2, 3, 4];
  const body = forLoop(i, get(bytes), 16, [
    set(v, load(add(get(x), get(i)))),
    store(add(get(out), get(i)), bitselect(f32x4Const(0), get(v), lt(get(v), f32x4Const(0)))),
  ]);
  return { params: Array(3).fill(I32), locals: [I32, V128], body };
}

/** The binary operations of Add, Sub, Multiply and RealDiv, on two vectors of 4 floats. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
const BINARY: Record<BinaryOp, (a: Bytes, b: Bytes) => Bytes> = { add: vadd, sub: vsub, mul: vmul, div: vdiv };

/** {op}Same(a, b, out, bytes): out = a op b element by element; bytes a multiple of 16 (the caller does the last 0–3). */
export function binarySame(op: BinaryOp): () => WasmFunction {
  return () => {
    const [a, b, out, bytes, i] = [0, 1, 2, 3, 4];
    const body = forLoop(i, get(bytes), 16, [store(add(get(out), get(i)), BINARY[op](load(add(get(a), get(i))), load(add(get(b), get(i)))))]);
    return { params: Array(4).fill(I32), locals: [I32], body };
  };
}

/**
 * {op}Rows(x, v, out, rows, cb): out[r, ·] = x[r, ·] op v[·], or with `vectorFirst` v[·] op x[r, ·], for
 * rows of cb bytes (a multiple of 16): a vector along the last axis, broadcast over the others.
 */
export function binaryRows(op: BinaryOp, vectorFirst: boolean): () => WasmFunction {
  return () => {
    const [x, v, out, rows, cb, r, c, row] = [0, 1, 2, 3, 4, 5, 6, 7];
    const [xv, vv] = [load(add(add(get(x), get(row)), get(c))), load(add(get(v), get(c)))];
    const body = [
      ...set(row, i32(0)),
      ...forLoop(r, get(rows), 1, [
        forLoop(c, get(cb), 16, [store(add(add(get(out), get(row)), get(c)), vectorFirst ? BINARY[op](vv, xv) : BINARY[op](xv, vv))]),
        set(row, add(get(row), get(cb))),
      ]),
    ];
    return { params: Array(5).fill(I32), locals: Array(3).fill(I32), body };
  };
}

/**
 * batchNormRows(x, mean, denominator, scale, offset, out, rows, cb): out[r, ·] = offset + (x[r, ·] −
 * mean) · scale / denominator per channel (denominator = √(variance + ε), computed once), the stock
 * kernel's operations in its order; rows of cb bytes (a multiple of 16).
 */
export function batchNormRows(): WasmFunction {
  const [x, mean, den, scale, offset, out, rows, cb, r, c, row] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const at = (base: number): Bytes => add(get(base), get(c));
  const body = [
    ...set(row, i32(0)),
    ...forLoop(r, get(rows), 1, [
      forLoop(c, get(cb), 16, [
        store(add(add(get(out), get(row)), get(c)),
          vadd(load(at(offset)), vdiv(vmul(vsub(load(add(add(get(x), get(row)), get(c))), load(at(mean))), load(at(scale))), load(at(den))))),
      ]),
      set(row, add(get(row), get(cb))),
    ]),
  ];
  return { params: Array(8).fill(I32), locals: Array(3).fill(I32), body };
}

/** zero(dst, bytes): bytes (a multiple of 16) of zeros from dst. */
export function zero(): WasmFunction {
  const [dst, bytes, i] = [0, 1, 2];
  return { params: [I32, I32], locals: [I32], body: forLoop(i, get(bytes), 16, [store(add(get(dst), get(i)), f32x4Const(0))]) };
}

/** copyRows(src, dst, rows, bytes, srcStride, dstStride): the first `bytes` (a multiple of 16) of each row, rows strided apart on both sides. */
export function copyRows(): WasmFunction {
  const [src, dst, rows, bytes, srcStride, dstStride, r, c] = [0, 1, 2, 3, 4, 5, 6, 7];
  const body = forLoop(r, get(rows), 1, [
    forLoop(c, get(bytes), 16, [
      store(add(add(get(dst), mul(get(r), get(dstStride))), get(c)), load(add(add(get(src), mul(get(r), get(srcStride))), get(c)))),
    ]),
  ]);
  return { params: Array(6).fill(I32), locals: Array(2).fill(I32), body };
}

/** Bytes of x whose sums magnitudes() adds up apart before they join the totals (bounds float32 rounding). */
export const MAGNITUDES_BLOCK_BYTES = 4096;

/**
 * magnitudes(x, out, bytes): per lane of 4, Σx² at out, Σ|x| at out + 16 and max |x| at out + 32 over
 * `bytes` of x (a multiple of 64), in one pass; four vectors at a time into four sets of sums (so
 * the additions do not wait on each other), which are taken over blocks of MAGNITUDES_BLOCK_BYTES and
 * then added. The caller adds the lanes and the last 0–15 elements.
 */
export function magnitudes(): WasmFunction {
  const [x, out, bytes, start, end, i, v] = [0, 1, 2, 3, 4, 5, 6];
  const UNROLL = 4;
  const squares = Array.from({ length: UNROLL }, (_, u) => 7 + u);
  const absolutes = Array.from({ length: UNROLL }, (_, u) => 7 + UNROLL + u);
  const largest = Array.from({ length: UNROLL }, (_, u) => 7 + 2 * UNROLL + u);
  const [sumSquares, sumAbsolutes, top] = [7 + 3 * UNROLL, 8 + 3 * UNROLL, 9 + 3 * UNROLL];
  const sumOf = (ls: number[]): Bytes => ls.slice(1).reduce((acc, l) => vadd(acc, get(l)), get(ls[0]));
  const body = [
    ...forLoop(start, get(bytes), MAGNITUDES_BLOCK_BYTES, [
      set(end, add(get(start), i32(MAGNITUDES_BLOCK_BYTES))),
      when(geS(get(end), get(bytes)), [set(end, get(bytes))]),
      ...[...squares, ...absolutes].map((l) => set(l, f32x4Const(0))),
      forLoop(i, sub(get(end), get(start)), 16 * UNROLL, squares.flatMap((_, u) => [
        set(v, load(add(add(add(get(x), get(start)), get(i)), i32(16 * u)))),
        set(squares[u], vadd(get(squares[u]), vmul(get(v), get(v)))),
        set(v, vabs(get(v))),
        set(absolutes[u], vadd(get(absolutes[u]), get(v))),
        set(largest[u], vmax(get(largest[u]), get(v))),
      ])),
      set(sumSquares, vadd(get(sumSquares), sumOf(squares))),
      set(sumAbsolutes, vadd(get(sumAbsolutes), sumOf(absolutes))),
    ]),
    ...set(top, largest.slice(1).reduce((acc, l) => vmax(acc, get(l)), get(largest[0]))),
    ...store(get(out), get(sumSquares)),
    ...store(add(get(out), i32(16)), get(sumAbsolutes)),
    ...store(add(get(out), i32(32)), get(top)),
  ];
  return { params: Array(3).fill(I32), locals: [...Array(3).fill(I32), ...Array(1 + 3 * UNROLL + 3).fill(V128)], body };
}

/**
 * sumRows(x, out, rows, cb, block, stride): out[·] += Σ_r x[r, ·] over rows `stride` bytes apart, of
 * which the first cb bytes (a multiple of 16) are summed, in blocks of `block` rows summed apart and then
 * added to out (bounds float32 rounding like a pairwise sum would); a bias gradient, or a band of its
 * columns. out must be zeroed first.
 */
export function sumRows(): WasmFunction {
  const [x, out, rows, cb, block, stride, r0, end, c, r, p, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const body = forLoop(r0, get(rows), get(block), [
    set(end, add(get(r0), get(block))),
    when(geS(get(end), get(rows)), [set(end, get(rows))]),
    forLoop(c, get(cb), 16, [
      set(acc, f32x4Const(0)),
      set(p, add(add(get(x), mul(get(r0), get(stride))), get(c))),
      forLoop(r, sub(get(end), get(r0)), 1, [
        set(acc, vadd(get(acc), load(get(p)))),
        set(p, add(get(p), get(stride))),
      ]),
      store(add(get(out), get(c)), vadd(load(add(get(out), get(c))), get(acc))),
    ]),
  ]);
  return { params: Array(6).fill(I32), locals: [...Array(5).fill(I32), V128], body };
}

/**
 * adamUpdate(value, m, v, g, newValue, newM, newV, bytes, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
 * c1, c2, epsilon, minusLr): tfjs's Adam step for one variable in one pass, with the same float32
 * operations in the same order as tf.train.adam's eleven kernels:
 *   m' = m·β1 + g·(1−β1); v' = v·β2 + g²·(1−β2); value' = (m'/c1) / (√(v'/c2) + ε) · (−lr) + value
 * (c1, c2 = 1 − β1ᵗ, 1 − β2ᵗ). bytes is a multiple of 16; the caller does the last 0–3 elements.
 */
export function adamUpdate(): WasmFunction {
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
