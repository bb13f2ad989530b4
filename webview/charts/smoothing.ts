// TensorBoard's scalar smoothing: a debiased exponential moving average (tensorboard/webapp/widgets/
// line_chart_v2/lib/data_transformer.ts, classicSmoothing). Non-finite values are passed through and
// do not advance the average; a series whose values are all equal is left as it is.

/** The smoothed values of `values` with weight `w` in [0, 1), exactly as TensorBoard computes them. */
export function debiasedEma(values: ArrayLike<number>, w: number): number[] {
  const out: number[] = new Array(values.length);
  let last = values.length > 0 ? 0 : NaN;
  let numAccum = 0;
  const constant = isConstant(values, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (constant || !Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    numAccum++;
    const debias = w === 1 ? 1 : 1 - Math.pow(w, numAccum);
    out[i] = last / debias;
  }
  return out;
}

function isConstant(values: ArrayLike<number | null>, n: number, from = 1): boolean {
  for (let i = Math.max(1, from); i < n; i++) if (values[i] !== values[0]) return false;
  return true;
}

/**
 * The same smoothing kept up to date as a series grows: appending k values costs O(k). Starts over
 * when the weight changes, the series is replaced or shrinks, or it stops being constant (TensorBoard
 * smooths a series only once it has two different values).
 */
export class IncrementalEma {
  /** null where the values have none (a metric some batches lack), passed through like non-finite values. */
  readonly smoothed: (number | null)[] = [];
  /** Bumped whenever earlier smoothed values were recomputed (the array is reused). */
  revision = 0;
  private source: ArrayLike<number | null> | null = null;
  private weight = NaN;
  private last = 0;
  private numAccum = 0;
  private constant = true;

  update(values: ArrayLike<number | null>, w: number): (number | null)[] {
    const n = values.length;
    if (values !== this.source || w !== this.weight || n < this.smoothed.length) this.reset(values, w);
    let i = this.smoothed.length;
    if (this.constant && !isConstant(values, n, i)) {
      // The first different value: every earlier point gets its real smoothed value.
      this.reset(values, w);
      this.constant = false;
      i = 0;
    }
    for (; i < n; i++) {
      const v = values[i];
      if (this.constant || typeof v !== 'number' || !Number.isFinite(v)) {
        this.smoothed.push(v);
        continue;
      }
      this.last = this.last * w + (1 - w) * v;
      this.numAccum++;
      this.smoothed.push(this.last / (w === 1 ? 1 : 1 - Math.pow(w, this.numAccum)));
    }
    return this.smoothed;
  }

  private reset(values: ArrayLike<number | null>, w: number): void {
    this.revision++;
    this.source = values;
    this.weight = w;
    this.last = 0;
    this.numAccum = 0;
    this.constant = true;
    this.smoothed.length = 0;
  }
}
