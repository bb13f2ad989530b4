// Keras's epoch-end callbacks on Model Lens's figures: which figure a name means, whether smaller or
// larger is better, EarlyStopping's counting and ModelCheckpoint's "best so far". Pure: no tfjs.
import type { TaskKind } from '../data/dataSource';
import type { EarlyStoppingSpec, MonitorMode, MonitorName } from '../protocol/experimentSpec';
import type { EpochEndMessage } from '../protocol/messages';
import { monitoredFigure, monitorMode } from '../protocol/monitorNames';

/**
 * The epoch's value of a monitored figure (null: not measured, e.g. no test split). An experiment has
 * no validation split: Keras's val_* names read its test split then, the held-out figures it has.
 */
export function monitoredValue(name: MonitorName, m: EpochEndMessage): number | null {
  const figure = monitoredFigure(name);
  if (!figure) return null;
  const record = figure.record === 'train' ? m.metrics : figure.record === 'test' ? m.test : (m.val ?? m.test);
  return record?.[figure.metric] ?? null;
}

/**
 * Why `name` can never be read in a run of this task, or null: classes measure accuracy, numbers
 * mae (and r2 on held-out data). A figure that needs a test split the run lacks is skipped instead, as Keras does.
 */
export function unmeasuredMonitor(name: MonitorName, task: TaskKind): string | null {
  const figure = monitoredFigure(name);
  if (!figure) return null;
  const classes = task === 'classification';
  const measured = classes ? ['loss', 'accuracy'] : figure.record === 'train' ? ['loss', 'mae'] : ['loss', 'mae', 'r2'];
  if (measured.includes(figure.metric)) return null;
  const names = classes ? ['loss', 'accuracy', 'val_loss', 'val_accuracy'] : ['loss', 'mae', 'val_loss', 'val_mae', 'val_r2'];
  return `'${name}' is never measured in this run: ${classes ? 'it learns classes (accuracy)' : 'it predicts numbers (mae; r2 on the test split)'}. ` +
    `Monitor one of ${names.map((n) => `'${n}'`).join(', ')}.`;
}

/** Keras's mode 'auto': accuracies and R² are maximised, losses and errors minimised. */
export function inferMode(name: MonitorName, mode?: MonitorMode): MonitorMode {
  return mode ?? monitorMode(name);
}

/** The best value of a figure so far, as ModelCheckpoint(save_best_only) keeps it (strictly better, no delta). */
export class BestValue {
  best: number;
  bestEpoch = 0;
  constructor(readonly mode: MonitorMode) {
    this.best = mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `value` beats the best so far (and becomes it). */
  offer(value: number | null, epoch: number): boolean {
    if (value === null) return false;
    if (this.mode === 'min' ? value < this.best : value > this.best) {
      this.best = value;
      this.bestEpoch = epoch;
      return true;
    }
    return false;
  }
}

/**
 * keras.callbacks.EarlyStopping without baseline: an epoch improves when it beats the best by more
 * than minDelta; `wait` counts every epoch and restarts at an improvement; training stops when
 * wait ≥ patience, never after the first epoch (Keras checks `epoch > 0`, 0-based).
 */
export class EarlyStopping {
  readonly monitor: MonitorName;
  readonly mode: MonitorMode;
  private readonly patience: number;
  private readonly minDelta: number;
  private wait = 0;
  best: number;
  bestEpoch = 0;

  constructor(spec: EarlyStoppingSpec) {
    this.monitor = spec.monitor ?? 'val_loss';
    this.mode = inferMode(this.monitor, spec.mode);
    this.patience = spec.patience ?? 0;
    this.minDelta = Math.abs(spec.minDelta ?? 0);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** After epoch `epoch` (1-based): whether to stop training now. A figure not measured is skipped, as Keras warns and goes on. */
  shouldStop(epoch: number, m: EpochEndMessage): boolean {
    const current = monitoredValue(this.monitor, m);
    if (current === null) return false;
    this.wait++;
    const improved = this.mode === 'min' ? current + this.minDelta < this.best : current - this.minDelta > this.best;
    if (improved) {
      this.best = current;
      this.bestEpoch = epoch;
      this.wait = 0;
      return false;
    }
    return this.wait >= this.patience && epoch > 1;
  }
}
