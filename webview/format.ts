import type { Shape } from '../src/protocol/modelInfo';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** 401920 → "401,920" (one shared formatter: toLocaleString builds a new one per call). */
export const thousands = (n: number) => grouped.format(Math.round(n));

export function formatShape(shape: Shape | Shape[] | number[]): string {
  const one = (s: (number | null)[]) => `[${s.map((d) => (d === null ? 'B' : String(d))).join(', ')}]`;
  if (shape.length === 0) return '[]';
  return Array.isArray(shape[0]) ? (shape as Shape[]).map(one).join(', ') : one(shape as Shape);
}

/** 1.23e-4 style for gradient figures, plain for ordinary numbers. */
export function formatFigure(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(2);
  return v.toPrecision(3);
}

/** Milliseconds with three significant digits or more (as the CLI's summary prints them). */
export function formatMs(ms: number): string {
  return `${ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3)} ms`;
}
