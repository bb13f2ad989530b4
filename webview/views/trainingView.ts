// Training: one chart per named metric (loss, accuracy, mae, r2...: metricChart.ts) with the batch
// values, TensorBoard's smoothing and the per-epoch training mean, validation and test figures; the
// learning rate actually used drawn over the whole planned schedule, saying how often it steps and
// where plateau cut it; custom scalars; and the run's pace (samples/s, elapsed, ETA).
import * as d3 from 'd3';
import { formatMetric, metricInfo, orderedMetricNames, type Metrics } from '../../src/protocol/metricNames';
import type { Changes, RunState } from '../../src/protocol/runState';
import { plateauCuts, scheduleStepsText } from '../../src/protocol/scheduleFacts';
import type { View, ViewContext } from '../view';
import { thousands } from '../format';
import { LineChart, type LineSeries } from '../charts/lineChart';
import { formatDuration } from '../charts/duration';
import { everythingChanged, WidthWatcher } from '../charts/widthWatcher';
import type { ComparedRun } from '../../src/protocol/runComparison';
import { RunsOverlay } from './runsOverlay';
import { chartedMetricNames, MetricChart } from './metricChart';
import { ScalarCharts } from './scalarCharts';

const DEFAULT_SMOOTHING = 0.6; // TensorBoard's default

interface Figure { key: string; label: string; value: string; title?: string }

export class TrainingView implements View {
  readonly id = 'training';
  readonly title = 'Training';
  private root!: HTMLElement;
  private last: RunState | null = null;
  private smoothing = DEFAULT_SMOOTHING;
  private redrawFrame = 0;
  private readonly widths = new WidthWatcher(() => { if (this.last && !this.content.hidden) this.draw(this.last); });

  private empty!: HTMLParagraphElement;
  private content!: HTMLDivElement;
  private figures!: HTMLDivElement;
  private grid!: HTMLDivElement;
  private describeStep!: (step: number) => string;
  /** One per metric name, made as names appear; kept in the vocabulary's order before the rate chart. */
  private readonly metricCharts = new Map<string, MetricChart>();
  private lrChart!: LineChart;
  /** Runs side by side, shown instead of the one run while there are some. */
  private overlay!: RunsOverlay;
  private scalars!: ScalarCharts;

  mount(root: HTMLElement, ctx: ViewContext): void {
    this.root = root;
    root.classList.add('chart-view');
    const saved = Number(ctx.getUiState('smoothing', DEFAULT_SMOOTHING));
    this.smoothing = Number.isFinite(saved) ? Math.min(0.99, Math.max(0, saved)) : DEFAULT_SMOOTHING;

    const empty = this.empty = document.createElement('p');
    empty.className = 'empty';
    const content = this.content = document.createElement('div');
    content.className = 'training';
    content.hidden = true;

    const toolbar = document.createElement('div');
    toolbar.className = 'toolbar';
    const label = document.createElement('label');
    label.className = 'smoothing-control';
    label.textContent = 'Smoothing ';
    // A native range input: @vscode-elements/elements has no slider.
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.min = '0';
    slider.max = '0.99';
    slider.step = '0.01';
    slider.value = String(this.smoothing);
    slider.dataset.control = 'smoothing';
    slider.setAttribute('aria-label', 'Smoothing weight');
    const sliderValue = document.createElement('output');
    sliderValue.className = 'smoothing-value';
    sliderValue.textContent = this.smoothing.toFixed(2);
    label.append(slider, sliderValue);
    const hint = document.createElement('span');
    hint.className = 'note';
    hint.textContent = 'debiased exponential moving average, as in TensorBoard';
    toolbar.append(label, hint);
    slider.addEventListener('input', () => {
      this.smoothing = Math.min(0.99, Math.max(0, Number(slider.value) || 0));
      sliderValue.textContent = this.smoothing.toFixed(2);
      ctx.setUiState('smoothing', this.smoothing);
      if (!this.redrawFrame) this.redrawFrame = requestAnimationFrame(() => { this.redrawFrame = 0; if (this.last) this.draw(this.last); });
    });

    const figures = this.figures = document.createElement('div');
    figures.className = 'figures';
    const grid = this.grid = document.createElement('div');
    grid.className = 'chart-grid';
    content.append(toolbar, figures, grid);
    root.append(empty, content);

    const describeStep = this.describeStep = (step: number) => {
      const spe = this.last?.model?.plan?.stepsPerEpoch;
      return spe ? `step ${step} · epoch ${Math.max(1, Math.ceil(step / spe))}` : `step ${step}`;
    };
    this.lrChart = new LineChart(grid, {
      id: 'lr', title: 'Learning rate', xLabel: 'step', yLabel: 'learning rate', height: 190, yZero: true, describeStep,
      // One notation per axis: 1.2e-3, 1e-3, 8e-4 rather than 0.0012, 0.001, 8e-4.
      yFormat: (v, max) => (v === 0 ? '0' : max < 1e-2 || max >= 1e4 ? d3.format('.3~e')(v).replace('e+', 'e') : d3.format('.4~g')(v)),
    });
    this.lrChart.root.classList.add('chart-wide');
    this.widths.watch(this.lrChart.root);
    // Custom scalars follow the rate chart in the same grid.
    this.scalars = new ScalarCharts(grid, describeStep);
    this.overlay = new RunsOverlay(root, () => this.smoothing, ctx.compareFiles, () => this.compare([]));
  }

  /** Overlays these runs (none: back to the shown run). */
  compare(runs: ComparedRun[]): void {
    this.overlay.show(runs);
    if (runs.length === 0 && this.last) this.draw(this.last);
    else { this.content.hidden = true; this.empty.hidden = true; }
  }

  /** The metric charts the run needs, made when a name first appears, in the vocabulary's order before the rate chart. */
  private chartsFor(state: RunState): MetricChart[] {
    const names = chartedMetricNames(state);
    if (names.length === 0) names.push('loss');
    let added = false;
    for (const name of names) {
      if (this.metricCharts.has(name)) continue;
      const chart = new MetricChart(this.grid, name, this.describeStep);
      this.metricCharts.set(name, chart);
      this.widths.watch(chart.root);
      added = true;
    }
    if (added) {
      for (const name of names) this.grid.insertBefore(this.metricCharts.get(name)!.root, this.lrChart.root);
      // A lone metric (a loop that reports only its loss) gets the row to itself, as the rate chart does.
      for (const chart of this.metricCharts.values()) chart.root.classList.toggle('chart-wide', this.metricCharts.size === 1);
    }
    return names.map((n) => this.metricCharts.get(n)!);
  }

  update(state: RunState, changes: Changes): void {
    const fresh = state !== this.last;
    this.last = state;
    if (!fresh && !changes.batches && !changes.epochs && !changes.model && !changes.status && !changes.scalars) return;
    if (everythingChanged(changes)) this.widths.invalidate();
    this.draw(state);
  }

  private draw(state: RunState): void {
    const { empty, content, lrChart, smoothing, widths, root } = this;
    const b = state.batches;
    const n = b.step.length;
    if (this.overlay.shown) {
      content.hidden = true;
      empty.hidden = true;
      return;
    }
    if (n === 0 && state.scalars.step.length === 0) {
      content.hidden = true;
      empty.hidden = false;
      empty.textContent = state.status === 'error' || state.status === 'stopped'
        ? 'The run ended before its first batch: no training curves.'
        : state.model
          ? `Waiting for the first batch of ${state.model.name}…`
          : 'Loss, the other metrics and the learning rate appear here when training starts.';
      return;
    }
    empty.hidden = true;
    content.hidden = false;

    const plan = state.model?.plan ?? null;
    const lastStep = n ? b.step[n - 1] : 1;
    // The learning-rate chart spans the whole plan (its schedule ahead is the point); the metrics
    // span the steps so far, rounded up to a nice number so the domain (and the drawing caches)
    // change only a few times in a run, and the plan once a third of it is done.
    const planned = Math.max(plan?.totalSteps ?? 0, lastStep, 1);
    const xDomain: [number, number] = [0, lastStep * 3 >= planned ? planned : Math.min(planned, niceCeil(lastStep * 1.05))];
    const lrDomain: [number, number] = [0, planned];
    const spe = plan?.stepsPerEpoch ?? 0;
    // Epoch boundaries as faint lines, where there are few enough of them to read.
    const boundaries = (to: number) => {
      const last = spe > 0 && plan ? Math.min(plan.epochs - 1, Math.floor(to / spe)) : 0;
      return last >= 1 && last <= 40 ? d3.range(1, last + 1).map((e) => e * spe) : [];
    };
    const xMarkers = boundaries(xDomain[1]);
    const epochSteps = state.epochs.map((e) => epochEndStep(state, e.epoch));

    const lrSeries: LineSeries[] = [];
    const plannedLr = plan?.plannedLr ?? null;
    if (plannedLr && plannedLr.step.length) {
      lrSeries.push({ id: 'lr-planned', label: 'planned schedule', x: plannedLr.step, y: plannedLr.lr, colour: 'var(--ml-muted)', mark: 'dashed' });
    }
    lrSeries.push({ id: 'lr-actual', label: 'used', x: b.step, y: b.lr, colour: 'var(--ml-series-4)', mark: 'line' });
    const schedule = plan?.schedule ?? null;
    lrChart.setSubtitle(plan ? scheduleStepsText(schedule) : '');
    const cuts = plateauCuts(schedule, b).map((c) => ({ x: c.step, label: `plateau: ${formatRate(c.from)} → ${formatRate(c.to)} after epoch ${c.afterEpoch}` }));

    // Widths come from the ResizeObserver (measured once, all before any drawing): no forced layouts.
    const fallback = () => root.clientWidth - 20;
    const charts = n ? this.chartsFor(state) : [];
    const w = charts.map((c) => widths.width(c.root, fallback));
    const lrWidth = widths.width(lrChart.root, fallback);
    const a = state.anomaly;
    const alert = a ? { x: a.step, label: a.kind === 'nonFiniteGradient' ? `step ${a.step}: non-finite gradient` : `step ${a.step}: non-finite loss` } : null;
    charts.forEach((c, i) => c.render(state, { width: w[i], xDomain, xMarkers, alert, smoothing, epochSteps }));
    lrChart.root.hidden = n === 0;
    if (n) lrChart.render({ width: lrWidth, xDomain: lrDomain, series: lrSeries, xMarkers: boundaries(lrDomain[1]), cuts });
    this.scalars.render(state.scalars, (r) => widths.width(r, fallback), (r) => widths.watch(r));

    if (n) this.drawFigures(state, charts);
  }

  private drawFigures(state: RunState, charts: MetricChart[]): void {
    const b = state.batches;
    const n = b.step.length;
    const plan = state.model?.plan;
    const done = b.step[n - 1];
    const total = plan?.totalSteps ?? done;
    const rate = b.samplesPerSec[n - 1];
    const elapsed = state.done?.elapsedSec ?? b.elapsedSec[n - 1];
    let eta: string;
    if (state.status === 'completed') eta = 'done';
    else if (state.status === 'stopped') eta = 'stopped';
    else if (state.status !== 'running') eta = '–';
    else eta = formatDuration(plan && rate > 0 ? ((total - done) * plan.batchSize) / rate : NaN);
    const best = bestEpochFigure(state.epochs);
    const list: Figure[] = [
      { key: 'step', label: 'Step', value: `${thousands(done)} / ${thousands(total)}` },
      // A custom loop has no epochs (none started): '—' rather than 0.
      { key: 'epoch', label: 'Epoch', value: plan ? `${state.epoch || 1} / ${plan.epochs}` : state.epoch > 0 ? String(state.epoch) : '—' },
      { key: 'samples-per-sec', label: 'Samples/s', value: Number.isFinite(rate) ? thousands(rate) : '–', title: 'latest batch' },
      { key: 'elapsed', label: 'Elapsed', value: formatDuration(elapsed) },
      { key: 'eta', label: 'ETA', value: eta, title: 'remaining steps × batch size ÷ latest samples/s' },
      ...charts.map((c): Figure => ({
        key: c.name, label: `${metricInfo(c.name).label} (batch, smoothed)`, value: formatMetric(c.name, c.lastSmoothed()),
        title: `the batch values' moving average at the last step (weight ${this.smoothing.toFixed(2)})`,
      })),
      ...(best ? [{ key: 'best', label: `Best ${best.split} ${metricInfo(best.name).label}`, value: `${formatMetric(best.name, best.value)} (ep. ${best.epoch})` }] : []),
    ];
    d3.select(this.figures).selectAll<HTMLDivElement, Figure>('div.figure').data(list, (f) => f.key)
      .join((enter) => {
        const f = enter.append('div').attr('class', 'figure');
        f.append('span').attr('class', 'figure-label');
        f.append('span').attr('class', 'figure-value');
        return f;
      })
      .attr('data-figure', (f) => f.key)
      .attr('title', (f) => f.title ?? null)
      .call((f) => f.select('.figure-label').text((d) => d.label))
      .call((f) => f.select('.figure-value').text((d) => d.value));
  }
}

/**
 * The best epoch figure to headline: on the test split, else validation, else the training means;
 * the first figure besides the loss whose direction is known (accuracy, r2, mae...), else the loss.
 */
export function bestEpochFigure(epochs: RunState['epochs']): { split: string; name: string; value: number; epoch: number } | null {
  const splits: [string, (e: RunState['epochs'][number]) => Metrics | undefined][] = [['test', (e) => e.test], ['val', (e) => e.val], ['train', (e) => e.metrics]];
  for (const [split, record] of splits) {
    const names = chartedNames(epochs.map(record));
    const name = names.find((x) => x !== 'loss' && metricInfo(x).better !== null) ?? (names.includes('loss') ? 'loss' : undefined);
    if (name === undefined) continue;
    const higher = metricInfo(name).better === 'higher';
    let best: { split: string; name: string; value: number; epoch: number } | null = null;
    for (const e of epochs) {
      const r = record(e);
      if (!r || !Object.hasOwn(r, name)) continue;
      if (!best || (higher ? r[name] > best.value : r[name] < best.value)) best = { split, name, value: r[name], epoch: e.epoch };
    }
    if (best) return best;
  }
  return null;
}

const chartedNames = (records: (Metrics | undefined)[]) => orderedMetricNames(records);

/** A learning rate in a label: 3 significant digits. */
const formatRate = (lr: number) => (lr === 0 ? '0' : Math.abs(lr) < 1e-3 ? lr.toExponential(2) : String(Number(lr.toPrecision(3))));

/** The run step at which `epoch` ended: its last batch (epochs are ascending in the batch columns). */
function epochEndStep(state: RunState, epoch: number): number {
  const { epoch: epochs, step } = state.batches;
  const i = d3.bisectRight(epochs, epoch) - 1;
  if (i >= 0 && epochs[i] === epoch) return step[i];
  const spe = state.model?.plan?.stepsPerEpoch;
  return spe ? epoch * spe : step[step.length - 1] ?? 0;
}

/** The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 × 10^k that is at least v. */
function niceCeil(v: number): number {
  const k = 10 ** Math.floor(Math.log10(Math.max(1, v)));
  for (const m of [1, 1.5, 2, 3, 4, 5, 6, 8, 10]) if (m * k >= v) return Math.ceil(m * k);
  return Math.ceil(v);
}
