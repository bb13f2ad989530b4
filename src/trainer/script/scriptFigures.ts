// fit's logs as named figures: tfjs's names (`acc`, `val_loss`, `categoricalAccuracy`) under the
// vocabulary's (`accuracy`, the `val` record; metricNames.ts), the bookkeeping keys (`batch`, `size`) left out.
import { metricName, metricsFromLogs, type Metrics } from '../../protocol/metricNames';

export interface NamedFigures {
  metrics: Metrics;
  val?: Metrics;
  /** Training figures that were not finite (NaN, ±Infinity): left out of `metrics`, kept here to be reported. */
  notFinite?: Metrics;
}

const BOOKKEEPING = new Set(['batch', 'size']);

/** A log's value as a number, finite or not: fit's batch logs may hold scalar tensors (read here, disposed by tfjs). */
export function logValue(value: unknown): number | null {
  if (typeof value === 'number') return value;
  const data = (value as { dataSync?: () => ArrayLike<number> } | null)?.dataSync;
  if (typeof data !== 'function') return null;
  const v = data.call(value)[0];
  return typeof v === 'number' ? v : null;
}

export function figuresFromLogs(logs: Readonly<Record<string, unknown>> | undefined): NamedFigures {
  const values: Record<string, number> = {};
  const notFinite: Record<string, number> = {};
  for (const [key, raw] of Object.entries(logs ?? {})) {
    if (BOOKKEEPING.has(key)) continue;
    const value = logValue(raw);
    if (value === null) continue;
    if (Number.isFinite(value)) values[key] = value;
    else if (!key.startsWith('val_')) notFinite[metricName(key)] = value;
  }
  const figures = metricsFromLogs(values);
  return Object.keys(notFinite).length ? { ...figures, notFinite } : figures;
}

/** trainOnBatch's result (a loss, or [loss, ...metrics]) under the model's metric names. */
export function figuresFromResult(result: unknown, names: readonly string[]): NamedFigures {
  const values = Array.isArray(result) ? result : [result];
  const logs: Record<string, unknown> = {};
  values.forEach((v, i) => { logs[names[i] ?? (i === 0 ? 'loss' : `metric${i}`)] = v; });
  return figuresFromLogs(logs);
}
