// fit's logs as named figures: tfjs's names (`acc`, `val_loss`, `categoricalAccuracy`) under the
// vocabulary's (`accuracy`, the `val` record), the bookkeeping keys (`batch`, `size`) left out.
// Follows metricsFromLogs of the named-metrics protocol, which replaces this once it lands.

export type Figures = Record<string, number>;

export interface NamedFigures {
  metrics: Figures;
  val?: Figures;
}

const ALIASES: Readonly<Record<string, string>> = {
  acc: 'accuracy', categoricalAccuracy: 'accuracy', binaryAccuracy: 'accuracy', sparseCategoricalAccuracy: 'accuracy',
  meanAbsoluteError: 'mae', meanSquaredError: 'mse',
};
const BOOKKEEPING = new Set(['batch', 'size']);
const VALIDATION_PREFIX = 'val_';

/** A log's value as a number: fit's batch logs may hold scalar tensors (read here, disposed by tfjs). */
export function logValue(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const data = (value as { dataSync?: () => ArrayLike<number> } | null)?.dataSync;
  if (typeof data !== 'function') return null;
  const v = data.call(value)[0];
  return Number.isFinite(v) ? v : null;
}

export function figuresFromLogs(logs: Readonly<Record<string, unknown>> | undefined): NamedFigures {
  const metrics: Figures = {};
  const val: Figures = {};
  for (const [key, raw] of Object.entries(logs ?? {})) {
    if (BOOKKEEPING.has(key)) continue;
    const value = logValue(raw);
    if (value === null) continue;
    const isVal = key.startsWith(VALIDATION_PREFIX) && key.length > VALIDATION_PREFIX.length;
    const name = isVal ? key.slice(VALIDATION_PREFIX.length) : key;
    (isVal ? val : metrics)[ALIASES[name] ?? name] = value;
  }
  return Object.keys(val).length > 0 ? { metrics, val } : { metrics };
}

/** trainOnBatch's result (a loss, or [loss, ...metrics]) under the model's metric names. */
export function figuresFromResult(result: unknown, names: readonly string[]): NamedFigures {
  const values = Array.isArray(result) ? result : [result];
  const logs: Record<string, unknown> = {};
  values.forEach((v, i) => { logs[names[i] ?? (i === 0 ? 'loss' : `metric${i}`)] = v; });
  return figuresFromLogs(logs);
}
