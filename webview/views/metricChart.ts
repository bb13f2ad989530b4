// One chart per named metric (loss, accuracy, mae, r2, a custom metric...): the batch values faint,
// their smoothed line, and per finished epoch the training mean and the validation and test figures
// at the step the epoch ended. Every series says which figure it is.
import * as d3 from 'd3';
import { metricInfo, orderedMetricNames } from '../../src/protocol/metricNames';
import type { RunState } from '../../src/protocol/runState';
import { LineChart, type LineChartFrame, type LineSeries } from '../charts/lineChart';
import { IncrementalEma } from '../charts/smoothing';

export interface MetricFrame {
  width: number;
  xDomain: [number, number];
  xMarkers: number[];
  alert: LineChartFrame['alert'];
  smoothing: number;
  /** The step each finished epoch ended at (aligned with state.epochs). */
  epochSteps: number[];
}

const NO_VALUES: (number | null)[] = [];

export class MetricChart {
  readonly chart: LineChart;
  private readonly ema = new IncrementalEma();

  constructor(parent: HTMLElement, readonly name: string, describeStep: (step: number) => string) {
    const info = metricInfo(name);
    const fraction = info.format === 'fraction';
    this.chart = new LineChart(parent, {
      id: name, title: info.label, xLabel: 'step', yLabel: info.name, height: 240, describeStep,
      ...(fraction ? { yClamp: [0, 1] as [number, number], yFormat: (v: number) => d3.format('.3~f')(v) } : {}),
    });
    this.chart.setSubtitle(info.description);
  }

  get root(): HTMLDivElement {
    return this.chart.root;
  }

  /** The smoothed batch value at the last step (null before any). */
  lastSmoothed(): number | null {
    const s = this.ema.smoothed;
    for (let i = s.length - 1; i >= 0; i--) if (s[i] !== null) return s[i];
    return null;
  }

  render(state: RunState, f: MetricFrame): void {
    const { name } = this;
    const b = state.batches;
    const raw = Object.hasOwn(b.metrics, name) ? b.metrics[name] : NO_VALUES;
    const smoothed = this.ema.update(raw, f.smoothing);
    const epochs = state.epochs;
    const pick = (record: (e: RunState['epochs'][number]) => Record<string, number> | undefined) =>
      epochs.map((e) => { const r = record(e); return r && Object.hasOwn(r, name) ? r[name] : null; });
    const series: LineSeries[] = [];
    if (raw.length) {
      series.push(
        { id: `${name}-raw`, label: 'batch', x: b.step, y: raw, colour: 'var(--ml-series-1)', mark: 'faint' },
        { id: `${name}-smoothed`, label: `batch, smoothed (${f.smoothing.toFixed(2)})`, x: b.step, y: smoothed, revision: this.ema.revision, colour: 'var(--ml-series-1)', mark: 'line' },
      );
    }
    const perEpoch: [string, string, (e: RunState['epochs'][number]) => Record<string, number> | undefined, string, 'circle' | 'diamond'][] = [
      ['epoch-train', 'epoch mean (train)', (e) => e.metrics, 'var(--ml-series-2)', 'circle'],
      ['epoch-val', 'validation (epoch end)', (e) => e.val, 'var(--ml-series-4)', 'circle'],
      ['epoch-test', 'test (epoch end)', (e) => e.test, 'var(--ml-series-3)', 'diamond'],
    ];
    for (const [id, label, record, colour, shape] of perEpoch) {
      const y = pick(record);
      if (y.some((v) => v !== null)) series.push({ id: `${name}-${id}`, label, x: f.epochSteps, y, colour, mark: 'points', shape });
    }
    this.chart.render({ width: f.width, xDomain: f.xDomain, series, xMarkers: f.xMarkers, alert: f.alert });
  }
}

/** The metric charts' names for a run: every name its batches or epochs carry, the vocabulary's order first. */
export function chartedMetricNames(state: RunState): string[] {
  return orderedMetricNames([state.batches.metrics, ...state.epochs.flatMap((e) => [e.metrics, e.val, e.test])]);
}
