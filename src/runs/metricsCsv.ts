// metrics.csv of a run: one row per batch, one column per named figure the run had (vocabulary
// order, then custom metrics), empty where a batch lacks it. Pure.
import { orderedMetricNames } from '../protocol/metricNames';
import type { BatchSeries } from '../protocol/runState';

/** A CSV cell: a name with a comma, quote or newline quoted. */
const cell = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

export function metricsCsv(b: BatchSeries): string {
  const names = orderedMetricNames([b.metrics]);
  const rows = [['step', 'epoch', 'batch', ...names, 'lr', 'samples_per_sec', 'elapsed_sec'].map(cell).join(',')];
  for (let i = 0; i < b.step.length; i++) {
    const figures = names.map((n) => b.metrics[n][i] ?? '');
    rows.push([b.step[i], b.epoch[i], b.batch[i], ...figures, b.lr[i], b.samplesPerSec[i], b.elapsedSec[i]].join(','));
  }
  return `${rows.join('\n')}\n`;
}
