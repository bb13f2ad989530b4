// Fewer points for drawing a long series: per pixel column keep only its lowest and highest point
// (in their order), which draws the same picture at that width. Kept up to date incrementally: the
// x domain of a run is fixed (its planned steps), so a column, once the series has moved past it,
// never changes, and each new point costs O(1).

export function isFiniteNumber(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export class ColumnDownsampler {
  /** Indices of the points of closed columns, ascending. */
  readonly closed: number[] = [];
  /** Indices of the points of the open (last) column. */
  open: number[] = [];
  /** Lowest and highest finite value seen. */
  lo = Infinity;
  hi = -Infinity;
  /** Bumped whenever `closed` was rebuilt (not just appended to). */
  generation = 0;
  private key = '';
  private x: ArrayLike<number> | null = null;
  private y: ArrayLike<number | null> | null = null;
  private next = 0;
  private column = NaN;
  private min = -1;
  private max = -1;

  /**
   * Brings the indices up to date with (x, y), x ascending. `revision` must change when values
   * already seen were replaced (a re-smoothed series); the arrays themselves may grow in place.
   */
  update(x: ArrayLike<number>, y: ArrayLike<number | null>, xDomain: readonly [number, number], pixels: number, revision = 0): void {
    const key = `${xDomain[0]}|${xDomain[1]}|${pixels}|${revision}`;
    const n = Math.min(x.length, y.length);
    if (key !== this.key || x !== this.x || y !== this.y || n < this.next) this.reset(key, x, y);
    const [x0, x1] = xDomain;
    const perPixel = pixels / (x1 - x0 || 1);
    for (let i = this.next; i < n; i++) {
      const v = y[i];
      if (!isFiniteNumber(v)) continue;
      if (v < this.lo) this.lo = v;
      if (v > this.hi) this.hi = v;
      const c = Math.floor((x[i] - x0) * perPixel);
      if (c !== this.column) {
        this.closeColumn();
        this.column = c;
        this.min = this.max = i;
        continue;
      }
      if (v < (y[this.min] as number)) this.min = i;
      if (v > (y[this.max] as number)) this.max = i;
    }
    this.next = n;
    this.open = this.min < 0 ? [] : this.min === this.max ? [this.min] : [Math.min(this.min, this.max), Math.max(this.min, this.max)];
  }

  /** Every index to draw (closed columns, then the open one). */
  indices(): number[] {
    return this.open.length ? this.closed.concat(this.open) : this.closed;
  }

  private closeColumn(): void {
    if (this.min < 0) return;
    if (this.min === this.max) this.closed.push(this.min);
    else this.closed.push(Math.min(this.min, this.max), Math.max(this.min, this.max));
    this.min = this.max = -1;
  }

  private reset(key: string, x: ArrayLike<number>, y: ArrayLike<number | null>): void {
    this.key = key;
    this.x = x;
    this.y = y;
    this.next = 0;
    this.column = NaN;
    this.min = this.max = -1;
    this.closed.length = 0;
    this.open = [];
    this.lo = Infinity;
    this.hi = -Infinity;
    this.generation++;
  }
}
