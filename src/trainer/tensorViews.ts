// A tensor's values as a bounded TensorView: figures always; the numbers when few; a histogram and a
// corner when many; feature maps when the tensor is an image (height, width, channels).
import {
  MAX_TRACE_CORNER, MAX_TRACE_MAP_SIDE, MAX_TRACE_MAPS, MAX_TRACE_VALUES, type TensorView,
} from '../protocol/traceMessages';

const HISTOGRAM_BINS = 24;

/** How many feature maps a view keeps, and at most how many pixels a side (both within the protocol's caps). */
export interface MapLimits {
  maps: number;
  side: number;
}

/** Every view of a trace with maps kept within one budget of map values: big graphs get fewer, smaller maps. */
export function mapLimits(views: number, budget: number): MapLimits {
  const each = budget / Math.max(1, views);
  const full = MAX_TRACE_MAP_SIDE * MAX_TRACE_MAP_SIDE;
  if (each >= full) return { maps: Math.min(MAX_TRACE_MAPS, Math.floor(each / full)), side: MAX_TRACE_MAP_SIDE };
  return { maps: 1, side: Math.max(8, Math.floor(Math.sqrt(each))) };
}

/** `values` of one sample (no batch axis) in `shape`, summarised within the trace's caps. */
export function tensorView(values: ArrayLike<number>, shape: number[], limits?: MapLimits): TensorView {
  const n = values.length;
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) { nonFinite++; continue; }
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counted = n - nonFinite;
  const mean = counted > 0 ? sum / counted : 0;
  const view: TensorView = {
    shape: [...shape], mean, std: counted > 0 ? Math.sqrt(Math.max(0, sumSq / counted - mean * mean)) : 0,
    min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 0, l2: Math.sqrt(sumSq), nonFinite,
  };
  if (n <= MAX_TRACE_VALUES) view.values = finiteList(values, 0, n);
  else {
    view.histogram = histogram(values, view.min, view.max);
    if (shape.length === 2) view.corner = corner(values, shape[0], shape[1]);
  }
  if (shape.length === 3 && shape[0] > 1 && shape[1] > 1) view.maps = maps(values, shape[0], shape[1], shape[2], limits ?? { maps: MAX_TRACE_MAPS, side: MAX_TRACE_MAP_SIDE });
  return view;
}

/** Seven significant digits: float32 carries about that many, and the JSON stays half the size. */
export const roundForTrace = (v: number): number => Number(v.toPrecision(7));
const finite = (v: number) => (Number.isFinite(v) ? roundForTrace(v) : 0);

function finiteList(values: ArrayLike<number>, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = finite(values[i]);
  return out;
}

function histogram(values: ArrayLike<number>, min: number, max: number): { min: number; max: number; counts: number[] } {
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const scale = max > min ? HISTOGRAM_BINS / (max - min) : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) * scale))]++;
  }
  return { min, max, counts };
}

function corner(values: ArrayLike<number>, rows: number, cols: number): { rows: number; cols: number; values: number[] } {
  const r = Math.min(rows, MAX_TRACE_CORNER);
  const c = Math.min(cols, MAX_TRACE_CORNER);
  const out: number[] = [];
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out.push(finite(values[i * cols + j]));
  return { rows: r, cols: c, values: out };
}

/** The first channels of an HWC tensor, each every `stride`th pixel so a side stays ≤ limits.side. */
function maps(values: ArrayLike<number>, height: number, width: number, channels: number, limits: MapLimits): NonNullable<TensorView['maps']> {
  const stride = Math.ceil(Math.max(height, width) / limits.side);
  const h = Math.ceil(height / stride);
  const w = Math.ceil(width / stride);
  const data: number[][] = [];
  for (let c = 0; c < Math.min(channels, limits.maps); c++) {
    const map = new Array<number>(h * w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) map[y * w + x] = finite(values[((y * stride) * width + x * stride) * channels + c]);
    }
    data.push(map);
  }
  return { height: h, width: w, stride, channels, data };
}
