// The one vocabulary of metric names that experiments, scripts, the runs store and every view share.
// A message carries `metrics: { loss: 0.31, accuracy: 0.91 }` (and `val` / `test` records of the
// same names); tfjs's own names (`acc`, `val_acc`, `meanAbsoluteError`...) are aliases, turned into
// these names here and nowhere else. A name outside the vocabulary (a script's custom metric) is
// kept as it is and drawn under its own name.

/** Named figures: metric name → value (finite numbers only; a figure that is not finite is left out). */
export type Metrics = Record<string, number>;

export interface MetricInfo {
  /** The name in messages, files and CSV headers. */
  name: string;
  /** How tables and lines name it ("Train MAE"). */
  label: string;
  /** What it is, in words (a chart's subtitle, a hover). */
  description: string;
  /** The key of a tqdm-style progress line (`acc=0.9172`). */
  short: string;
  /** `fraction`: shown as a percentage (0.912 → 91.2%). */
  format: 'fraction' | 'number';
  /** Which way is better, for "best" figures; null when it is not known (a custom metric). */
  better: 'higher' | 'lower' | null;
}

const known = (name: string, label: string, description: string, short: string, format: MetricInfo['format'], better: MetricInfo['better']): MetricInfo =>
  ({ name, label, description, short, format, better });

/** The vocabulary, in the order views list them. */
export const METRICS: readonly MetricInfo[] = [
  known('loss', 'Loss', 'the training objective', 'loss', 'number', 'lower'),
  known('accuracy', 'Accuracy', 'share of samples whose predicted class is right', 'acc', 'fraction', 'higher'),
  known('precision', 'Precision', 'share of positive predictions that are right', 'precision', 'fraction', 'higher'),
  known('recall', 'Recall', 'share of positives predicted positive', 'recall', 'fraction', 'higher'),
  known('mae', 'MAE', 'mean absolute error', 'mae', 'number', 'lower'),
  known('mse', 'MSE', 'mean squared error', 'mse', 'number', 'lower'),
  known('rmse', 'RMSE', 'root mean squared error', 'rmse', 'number', 'lower'),
  known('mape', 'MAPE', 'mean absolute percentage error', 'mape', 'number', 'lower'),
  known('r2', 'R²', 'coefficient of determination (1 is a perfect fit)', 'r2', 'number', 'higher'),
];

const BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

/** tfjs's and Keras's names for the same figures (fit's logs, compile's metric names). */
const ALIASES: Readonly<Record<string, string>> = {
  acc: 'accuracy', categoricalAccuracy: 'accuracy', categorical_accuracy: 'accuracy', binaryAccuracy: 'accuracy',
  binary_accuracy: 'accuracy', sparseCategoricalAccuracy: 'accuracy', sparse_categorical_accuracy: 'accuracy',
  meanAbsoluteError: 'mae', mean_absolute_error: 'mae', MAE: 'mae',
  meanSquaredError: 'mse', mean_squared_error: 'mse', MSE: 'mse',
  rootMeanSquaredError: 'rmse', root_mean_squared_error: 'rmse', RMSE: 'rmse',
  meanAbsolutePercentageError: 'mape', mean_absolute_percentage_error: 'mape', MAPE: 'mape',
  r2Score: 'r2', r2_score: 'r2', R2: 'r2',
};

/** Where a tfjs log puts validation figures: `val_loss`, `val_acc`. */
const VALIDATION_PREFIX = 'val_';

/** A name a message may carry: letters, digits and `_ . - /`, starting with a letter, at most 64 characters. */
export const METRIC_NAME_PATTERN = /^[A-Za-z][\w.\-/]{0,63}$/;
/** Most named figures one record may carry. */
export const MAX_METRICS = 64;

/** The vocabulary's name for `raw` (an alias → its name; a name outside the vocabulary unchanged). */
export function metricName(raw: string): string {
  return Object.hasOwn(ALIASES, raw) ? ALIASES[raw] : raw;
}

/** How views title and format `name` (a name outside the vocabulary is titled by itself). */
export function metricInfo(name: string): MetricInfo {
  return BY_NAME.get(name) ?? known(name, name, 'a custom metric', name, 'number', null);
}

/**
 * Figures under the vocabulary's names: aliases renamed, non-finite and non-number values and
 * names a message could not carry left out (a name given twice, as alias and name, keeps the last).
 */
export function normalizeMetrics(raw: Readonly<Record<string, unknown>>): Metrics {
  const out: Metrics = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || !METRIC_NAME_PATTERN.test(key)) continue;
    out[metricName(key)] = value;
  }
  return out;
}

/**
 * A tfjs `logs` object (fit's onBatchEnd / onEpochEnd) as named figures: `val_`-prefixed entries
 * become the validation record (`{ loss, acc, val_loss, val_acc }` → metrics `{ loss, accuracy }`,
 * val `{ loss, accuracy }`); `val` is absent when the logs have no validation figures.
 */
export function metricsFromLogs(logs: Readonly<Record<string, unknown>>): { metrics: Metrics; val?: Metrics } {
  const train: Record<string, unknown> = {};
  const validation: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(logs)) {
    if (key.startsWith(VALIDATION_PREFIX) && key.length > VALIDATION_PREFIX.length) validation[key.slice(VALIDATION_PREFIX.length)] = value;
    else train[key] = value;
  }
  const metrics = normalizeMetrics(train);
  const val = normalizeMetrics(validation);
  return Object.keys(val).length > 0 ? { metrics, val } : { metrics };
}

/**
 * The names of `records` in the vocabulary's order, then the others in the order first seen
 * (what views and tables list: loss first, then accuracy, ...).
 */
export function orderedMetricNames(records: Iterable<Readonly<Record<string, unknown>> | undefined | null>): string[] {
  const seen = new Set<string>();
  for (const r of records) if (r) for (const k of Object.keys(r)) seen.add(k);
  const ordered = METRICS.map((m) => m.name).filter((n) => seen.has(n));
  for (const n of seen) if (!BY_NAME.has(n)) ordered.push(n);
  return ordered;
}

/** A figure as views print it: a fraction as a percentage, other numbers with 4 significant digits. */
export function formatMetric(name: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (metricInfo(name).format === 'fraction') return `${(100 * value).toFixed(1)}%`;
  return Math.abs(value) >= 1e4 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(3) : value.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** `loss 0.3124 · acc 91.2%`: a record's figures in vocabulary order, by their short names. */
export function metricsText(metrics: Readonly<Metrics>, separator = ' · '): string {
  return orderedMetricNames([metrics]).map((n) => `${metricInfo(n).short} ${formatMetric(n, metrics[n])}`).join(separator);
}
