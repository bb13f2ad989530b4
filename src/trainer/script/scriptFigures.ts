// fit's logs as named figures: tfjs's names (`acc`, `val_loss`, `categoricalAccuracy`) under the
// vocabulary's (`accuracy`, the `val` record; metricNames.ts), the bookkeeping keys (`batch`, `size`) left out.
import { metricsFromLogs, type Metrics } from '../../protocol/metricNames';

export interface NamedFigures {
  metrics: Metrics;
  val?: Metrics;
}

const BOOKKEEPING = new Set(['batch', 'size']);

/** A log's value as a number: fit's batch logs may hold scalar tensors (read here, disposed by tfjs). */
export function logValue(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const data = (value as { dataSync?: () => ArrayLike<number> } | null)?.dataSync;
  if (typeof data !== 'function') return null;
  const v = data.call(value)[0];
  return Number.isFinite(v) ? v : null;
}

export function figuresFromLogs(logs: Readonly<Record<string, unknown>> | undefined): NamedFigures {
  const values: Record<string, number> = {};
  for (const [key, raw] of Object.entries(logs ?? {})) {
    if (BOOKKEEPING.has(key)) continue;
    const value = logValue(raw);
    if (value !== null) values[key] = value;
  }
  return metricsFromLogs(values);
}

/** trainOnBatch's result (a loss, or [loss, ...metrics]) under the model's metric names. */
export function figuresFromResult(result: unknown, names: readonly string[]): NamedFigures {
  const values = Array.isArray(result) ? result : [result];
  const logs: Record<string, unknown> = {};
  values.forEach((v, i) => { logs[names[i] ?? (i === 0 ? 'loss' : `metric${i}`)] = v; });
  return figuresFromLogs(logs);
}
