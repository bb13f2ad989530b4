// The names an experiment gives a figure to watch (training.earlyStopping.monitor,
// training.checkpoint.keepBest), over the named-metrics vocabulary: Keras's `mae` / `val_mae` and
// Model Lens's `trainMae` / `testMae` for every metric a run can produce.
import { METRICS, metricInfo, metricName } from './metricNames';

/** Which record of an epoch a monitored name reads. */
export type MonitoredRecord = 'train' | 'heldOut' | 'test';

export interface MonitoredFigure {
  record: MonitoredRecord;
  /** The vocabulary's name: 'loss', 'accuracy', 'mae', 'r2', ... */
  metric: string;
}

const capitalised = (name: string) => name[0].toUpperCase() + name.slice(1);

/**
 * Every accepted name: `mae` and `trainMae` (training figures), `val_mae` (held out: validation,
 * else the test split, as Keras's val_* read), `testMae` (the test split).
 */
export const MONITOR_NAMES: readonly string[] = METRICS.flatMap(({ name }) => [name, `val_${name}`, `train${capitalised(name)}`, `test${capitalised(name)}`]);

const BY_NAME = new Map<string, MonitoredFigure>(METRICS.flatMap(({ name }): [string, MonitoredFigure][] => [
  [name, { record: 'train', metric: name }],
  [`val_${name}`, { record: 'heldOut', metric: name }],
  [`train${capitalised(name)}`, { record: 'train', metric: name }],
  [`test${capitalised(name)}`, { record: 'test', metric: name }],
]));

/** What a monitored name reads, or null for a name outside the list. */
export function monitoredFigure(name: string): MonitoredFigure | null {
  return BY_NAME.get(name) ?? null;
}

/**
 * The accepted name a mistaken one most likely means, from tfjs's and Keras's aliases
 * (`val_acc` → `val_accuracy`, `meanAbsoluteError` → `mae`, `test_mae` → `testMae`), or null.
 */
export function monitorNameFor(written: string): string | null {
  const match = /^(val_|test_|train_|test|train)?(.+)$/.exec(written);
  if (!match) return null;
  const [, prefix = '', rest] = match;
  const metric = metricName(rest.length > 1 && (prefix === 'test' || prefix === 'train') ? rest[0].toLowerCase() + rest.slice(1) : rest);
  if (!METRICS.some((m) => m.name === metric)) return null;
  const name = prefix === '' ? metric : prefix === 'val_' ? `val_${metric}` : `${prefix.replace('_', '')}${capitalised(metric)}`;
  return name !== written && BY_NAME.has(name) ? name : null;
}

/** Keras's mode 'auto' over the vocabulary: what is better higher (accuracy, R²) is maximised, losses and errors minimised. */
export function monitorMode(name: string): 'min' | 'max' {
  const figure = monitoredFigure(name);
  return figure && metricInfo(figure.metric).better === 'higher' ? 'max' : 'min';
}
