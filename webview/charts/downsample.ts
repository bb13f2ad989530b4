// Fewer points for drawing a long series: per pixel column keep the first, lowest, highest and last
// point (M4), so the drawn line looks exactly like the full one at that width.

/**
 * Indices of the points of (x, y) to draw at `pixels` columns over `xDomain`; every index when the
 * series is short. Non-finite y values are skipped (the line bridges them). `x` must be ascending.
 */
export function m4Indices(x: ArrayLike<number>, y: ArrayLike<number | null>, xDomain: readonly [number, number], pixels: number): number[] {
  const n = Math.min(x.length, y.length);
  const out: number[] = [];
  if (n <= pixels * 4) {
    for (let i = 0; i < n; i++) if (isFiniteNumber(y[i])) out.push(i);
    return out;
  }
  const [x0, x1] = xDomain;
  const perPixel = pixels / (x1 - x0 || 1);
  let bucket = NaN;
  let first = -1, min = -1, max = -1, last = -1;
  const flush = () => {
    if (first < 0) return;
    const picks = [first, min, max, last].sort((a, b) => a - b);
    for (let k = 0; k < 4; k++) if (k === 0 || picks[k] !== picks[k - 1]) out.push(picks[k]);
  };
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!isFiniteNumber(v)) continue;
    const b = Math.floor((x[i] - x0) * perPixel);
    if (b !== bucket) {
      flush();
      bucket = b;
      first = min = max = last = i;
      continue;
    }
    last = i;
    if (v < (y[min] as number)) min = i;
    if (v > (y[max] as number)) max = i;
  }
  flush();
  return out;
}

export function isFiniteNumber(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
