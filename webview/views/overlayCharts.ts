// Which charts the runs overlay draws: one per named figure any of the runs has. Batch figures first
// (loss, then the vocabulary's order, then custom metrics), the learning rate, the validation and
// test figures at each epoch's end, then custom scalars (`modelLens.log`). Pure: tested without a page.
import { metricInfo, orderedMetricNames } from '../../src/protocol/metricNames';
import type { ComparedRun } from '../../src/protocol/runComparison';

export interface OverlayChart {
  /** The chart's id (`compare-loss`, `compare-val-mae`, `compare-scalar-reward`): its series are `<id>-<run>-<axis>`. */
  id: string;
  title: string;
  /** The figure's name in the series (`loss`, `val_mae`, `reward`). */
  metric: string;
  from: 'steps' | 'epochs' | 'scalars';
  smooth: boolean;
  height: number;
  clamp?: [number, number];
  /** Spans the whole row (the learning rate). */
  wide?: boolean;
}

const SPLITS: readonly [prefix: string, title: string][] = [['val', 'Validation'], ['test', 'Test']];

const chartId = (...parts: string[]) => ['compare', ...parts].join('-').replace(/[^A-Za-z0-9-]/g, '-');
/** `accuracy` in a title's running text, acronyms (`MAE`, `R²`) as they are. */
const inText = (label: string) => (label === label.toUpperCase() ? label : label.toLowerCase());
const clampOf = (name: string): [number, number] | undefined => (metricInfo(name).format === 'fraction' ? [0, 1] : undefined);

/** Whether some run has a finite value of `metric` in `from`. */
function drawn(runs: readonly ComparedRun[], from: OverlayChart['from'], metric: string): boolean {
  return runs.some((r) => (r[from].metrics[metric] ?? []).some((v) => v !== null && Number.isFinite(v)));
}

export function overlayCharts(runs: readonly ComparedRun[]): OverlayChart[] {
  const charts: OverlayChart[] = [];
  for (const name of orderedMetricNames(runs.map((r) => r.steps.metrics))) {
    if (name === 'lr' || !drawn(runs, 'steps', name)) continue;
    charts.push({ id: chartId(name), title: metricInfo(name).label, metric: name, from: 'steps', smooth: true, height: 240, clamp: clampOf(name) });
  }
  if (drawn(runs, 'steps', 'lr')) charts.push({ id: 'compare-lr', title: 'Learning rate', metric: 'lr', from: 'steps', smooth: false, height: 200, wide: true });
  for (const [prefix, title] of SPLITS) {
    // The epoch records' names without their split (`val_mae` → `mae`), in the vocabulary's order.
    const names = orderedMetricNames(runs.map((r) => Object.fromEntries(Object.keys(r.epochs.metrics)
      .filter((k) => k.startsWith(`${prefix}_`)).map((k) => [k.slice(prefix.length + 1), true]))));
    for (const name of names) {
      const metric = `${prefix}_${name}`;
      if (!drawn(runs, 'epochs', metric)) continue;
      charts.push({ id: chartId(prefix, name), title: `${title} ${inText(metricInfo(name).label)} (epoch)`, metric, from: 'epochs', smooth: false, height: 200, clamp: clampOf(name) });
    }
  }
  for (const name of orderedMetricNames(runs.map((r) => r.scalars.metrics))) {
    if (!drawn(runs, 'scalars', name)) continue;
    charts.push({ id: chartId('scalar', name), title: `${name} (logged)`, metric: name, from: 'scalars', smooth: false, height: 200 });
  }
  return charts;
}
