// A matrix product as a SIMD loop on the heap, for the many small products of a Winograd convolution:
// run as one job on our threads, they split across cores, where as separate XNNPACK calls each is too
// small for its thread pool to wake for.
import { type Bytes, I32, type LoopOptions, V128, type WasmFunction, add, f32x4Const, forLoop, get, i32, load, loadF32, ltS, mul, set, splat, store, vadd, vmadd, vmul, when } from './instructions';

/** The row blocks (R) and column vectors (V) gemm functions exist for: R·V + V + 1 ≤ 11 vector registers (6 rows spill on x64). */
export const GEMM_SHAPES = [[1, 1], [1, 2], [4, 1], [4, 2]] as const;

/**
 * gemm{R}x{V}(a, b, c, m, k, nBytes, aRow, aCol, bRow, cRow, taps, aTap[, count, aStep, bStep, cStep]):
 * c[i, ·] = Σ_{t<taps} Σ_{j<k} a[i, t, j] · b[t·k + j, ·] for rows i < m (m a multiple of R) and the
 * nBytes/4 columns (nBytes a multiple of 16·V); byte offsets and strides: a[i, t, j] is at a + i·aRow + t·aTap + j·aCol (a's
 * column stride makes a transposed a as cheap as a plain one; taps = 1 is a plain product, more read a
 * convolution's filter rows as one product straight from its input). Per block of R rows and 4·V
 * columns the R·V sums stay in registers: each b vector is loaded once for R rows and each a value
 * splatted once for V vectors. With `fma` the multiply-adds are fused (one rounding instead of two).
 * With count > 1 (params count, aStep, bStep, cStep; left out or 0: one product) it runs `count`
 * products of the same shape, each operand's next one its step in bytes further: a Winograd stage's
 * (m+2)² products in one call instead of one call each.
 */
export function gemm(rows: number, vecs: number): (options: LoopOptions) => WasmFunction {
  return ({ fma }) => {
    const [a, b, c, m, k, nb, ar, ac, br, cr, taps, aTap, count, aStep, bStep, cStep] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    const [i, cv, j, pa, pb, pc, t, pt, q] = [16, 17, 18, 19, 20, 21, 22, 23, 24];
    const rowOff = Array.from({ length: rows }, (_, r) => 25 + r);
    const firstVector = 25 + rows;
    const acc = Array.from({ length: rows }, (_, r) => Array.from({ length: vecs }, (_, v) => firstVector + r * vecs + v));
    const g = Array.from({ length: vecs }, (_, v) => firstVector + rows * vecs + v);
    const xs = firstVector + rows * vecs + vecs;
    const at = (base: number, bytes: number): Bytes => (bytes ? add(get(base), i32(bytes)) : get(base));
    const rowAt = (r: number): Bytes => (r ? add(get(pt), get(rowOff[r])) : get(pt));
    const body: Bytes = [
      ...rowOff.flatMap((l, r) => set(l, mul(get(ar), i32(r)))),
      ...when(ltS(get(count), i32(1)), [set(count, i32(1))]),
      ...forLoop(q, get(count), 1, [
        forLoop(i, get(m), rows, [
          forLoop(cv, get(nb), 16 * vecs, [
            ...acc.flat().map((l) => set(l, f32x4Const(0))),
            set(pa, add(get(a), mul(get(i), get(ar)))),
            set(pb, add(get(b), get(cv))),
            forLoop(t, get(taps), 1, [
              set(pt, add(get(pa), mul(get(t), get(aTap)))),
              forLoop(j, get(k), 1, [
                ...g.map((l, v) => set(l, load(at(pb, 16 * v)))),
                ...acc.flatMap((row, r) => [
                  set(xs, splat(loadF32(rowAt(r)))),
                  ...row.map((l, v) => set(l, fma ? vmadd(get(xs), get(g[v]), get(l)) : vadd(get(l), vmul(get(xs), get(g[v]))))),
                ]),
                set(pt, add(get(pt), get(ac))),
                set(pb, add(get(pb), get(br))),
              ]),
            ]),
            set(pc, add(add(get(c), mul(get(i), get(cr))), get(cv))),
            ...acc.flatMap((row, r) => [
              ...(r ? [set(pc, add(get(pc), get(cr)))] : []),
              ...row.map((l, v) => store(at(pc, 16 * v), get(l))),
            ]),
          ]),
        ]),
        set(a, add(get(a), get(aStep))),
        set(b, add(get(b), get(bStep))),
        set(c, add(get(c), get(cStep))),
      ]),
    ];
    return { params: Array(16).fill(I32), locals: [...Array(9 + rows).fill(I32), ...Array(rows * vecs + vecs + 1).fill(V128)], body };
  };
}
