// Runs side by side in the Training view: each run one colour, named in every chart's legend; one
// chart per named figure the runs have (overlayCharts.ts: loss, metrics, the learning rate over step,
// epoch or wall time; validation and test figures at each epoch's end; logged scalars); and a table
// of the runs' parameters and results, sorted by any column. Two rows ticked, "Compare files" asks
// the host for VS Code's diff of their experiment files.
import * as d3 from 'd3';
import type { ComparedRun, ComparedSeries } from '../../src/protocol/runComparison';
import { LineChart, type LineSeries, type SeriesMark } from '../charts/lineChart';
import { debiasedEma } from '../charts/smoothing';
import { WidthWatcher } from '../charts/widthWatcher';
import { button, labelled, selectField } from '../controls';
import { formatFigure, thousands } from '../format';
import { overlayCharts, type OverlayChart } from './overlayCharts';

export type XAxis = 'step' | 'epoch' | 'elapsedSec';
const X_LABELS: Record<XAxis, string> = { step: 'step', epoch: 'epoch', elapsedSec: 'wall time (s)' };
/** How many run colours panel.css defines (`--ml-run-1`…): a categorical palette per theme. */
const COLOURS = 10;

/** Run i's colour and mark: the palette's ten colours, then the same dashed. */
export function runStyle(i: number): { colour: string; mark: SeriesMark } {
  return { colour: `var(--ml-run-${(i % COLOURS) + 1})`, mark: i < COLOURS ? 'line' : 'dashed' };
}

export class RunsOverlay {
  readonly root: HTMLDivElement;
  private runs: ComparedRun[] = [];
  private axis: XAxis = 'step';
  private sort: { key: string; descending: boolean } = { key: '', descending: false };
  private readonly ticked = new Set<string>();
  /** The charts made so far, by id (a chart whose figure no run has any more is taken out of the grid). */
  private readonly charts = new Map<string, { spec: OverlayChart; chart: LineChart }>();
  private readonly grid: HTMLDivElement;
  private readonly table: HTMLTableElement;
  private readonly heading: HTMLSpanElement;
  private readonly compareFiles: HTMLElement;
  private readonly widths = new WidthWatcher(() => this.draw());

  constructor(parent: HTMLElement, private readonly smoothing: () => number, onCompareFiles: ((a: string, b: string) => void) | null, onClose: () => void) {
    const root = this.root = document.createElement('div');
    root.className = 'runs-overlay';
    root.hidden = true;
    const toolbar = document.createElement('div');
    toolbar.className = 'toolbar';
    this.heading = document.createElement('span');
    this.heading.className = 'overlay-heading';
    const axis = selectField({ className: 'overlay-x', label: 'x axis', options: Object.entries(X_LABELS), value: this.axis });
    axis.addEventListener('change', () => { this.axis = (axis.value as XAxis) in X_LABELS ? axis.value as XAxis : 'step'; this.draw(); });
    this.compareFiles = button({
      className: 'overlay-compare-files', text: 'Compare files', title: 'VS Code\'s diff of the experiment files of the two ticked runs',
      onClick: () => { const [a, b] = [...this.ticked]; if (a && b && onCompareFiles) onCompareFiles(a, b); },
    });
    this.compareFiles.hidden = !onCompareFiles;
    const close = button({ className: 'overlay-close', text: 'This run only', title: 'Back to the run shown in the other views', onClick: onClose });
    toolbar.append(this.heading, labelled('x', axis), this.compareFiles, close);
    const grid = this.grid = document.createElement('div');
    grid.className = 'chart-grid';
    this.table = document.createElement('table');
    this.table.className = 'summary-table overlay-table';
    root.append(toolbar, grid, this.table);
    parent.append(root);
  }

  /** The chart of `spec`, made on first use; appended, so the grid follows the order of the specs. */
  private chartFor(spec: OverlayChart): LineChart {
    let made = this.charts.get(spec.id);
    if (!made) {
      const chart = new LineChart(this.grid, {
        id: spec.id, title: spec.title, xLabel: X_LABELS.step, yLabel: spec.metric, height: spec.height, yClamp: spec.clamp,
        describeStep: (x) => `${X_LABELS[this.axis]} ${d3.format('.4~f')(x)}`,
      });
      if (spec.wide) chart.root.classList.add('chart-wide');
      this.widths.watch(chart.root);
      made = { spec, chart };
      this.charts.set(spec.id, made);
    }
    this.grid.append(made.chart.root);
    return made.chart;
  }

  get shown(): boolean {
    return !this.root.hidden;
  }

  /** The runs to overlay (none hides the overlay). */
  show(runs: ComparedRun[]): void {
    this.runs = runs;
    this.ticked.clear();
    this.root.hidden = runs.length === 0;
    this.widths.invalidate();
    this.draw();
  }

  draw(): void {
    if (this.root.hidden) return;
    const runs = this.runs;
    this.heading.textContent = `${runs.length} runs`;
    const specs = overlayCharts(runs);
    const wanted = new Set(specs.map((s) => s.id));
    for (const [id, { chart }] of this.charts) if (!wanted.has(id)) chart.root.remove();
    for (const spec of specs) {
      const chart = this.chartFor(spec);
      chart.setXLabel(X_LABELS[this.axis]);
      const series: LineSeries[] = runs.map((r, i) => {
        const s: ComparedSeries = r[spec.from];
        const raw = s.metrics[spec.metric] ?? [];
        const y = spec.smooth ? debiasedEma(raw.map((v) => v ?? NaN), this.smoothing()) : raw;
        const { colour, mark } = runStyle(i);
        return { id: `${spec.id}-${i}-${this.axis}`, label: r.label, x: s[this.axis], y, colour, mark: spec.from === 'epochs' && mark === 'line' ? 'line' : mark };
      }).filter((s) => s.y.some((v) => v !== null && Number.isFinite(v)));
      let hi = 0;
      for (const s of series) if (s.x.length) hi = Math.max(hi, s.x[s.x.length - 1]);
      chart.root.hidden = series.length === 0;
      if (series.length) chart.render({ width: this.widths.width(chart.root, () => this.root.clientWidth - 20), xDomain: [0, Math.max(hi, 1e-9)], series });
    }
    this.drawTable();
  }

  private drawTable(): void {
    const runs = this.runs;
    const params = [...new Set(runs.flatMap((r) => Object.keys(r.params)))];
    const results = [...new Set(runs.flatMap((r) => Object.keys(r.results)))];
    const columns = [
      { key: 'label', title: 'run', value: (r: ComparedRun) => r.label as string | number | null, num: false },
      { key: 'status', title: 'status', value: (r: ComparedRun) => r.status as string | number | null, num: false },
      ...params.map((k) => ({ key: `param:${k}`, title: k, value: (r: ComparedRun) => r.params[k] ?? null, num: false })),
      ...results.map((k) => ({ key: `result:${k}`, title: k, value: (r: ComparedRun) => r.results[k] ?? null, num: true })),
    ];
    const order = runs.map((r, i) => ({ r, i }));
    const by = columns.find((c) => c.key === this.sort.key);
    if (by) {
      order.sort((a, b) => {
        const [va, vb] = [by.value(a.r), by.value(b.r)];
        if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1; // missing values last
        const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
        return this.sort.descending ? -c : c;
      });
    }
    const table = d3.select(this.table);
    const head = table.selectAll('thead').data([0]).join('thead').selectAll('tr').data([0]).join('tr');
    head.selectAll<HTMLTableCellElement, { key: string; title: string }>('th')
      .data([{ key: '', title: '', num: false }, ...columns], (c) => c.key)
      .join('th')
      .attr('class', (c) => (c.key ? `sortable${c.num ? ' num' : ''}` : null))
      .attr('data-column', (c) => c.key || null)
      .attr('aria-sort', (c) => (c.key && c.key === this.sort.key ? (this.sort.descending ? 'descending' : 'ascending') : null))
      .text((c) => (c.key && c.key === this.sort.key ? `${c.title} ${this.sort.descending ? '▼' : '▲'}` : c.title))
      .on('click', (_e, c) => {
        if (!c.key) return;
        this.sort = { key: c.key, descending: this.sort.key === c.key ? !this.sort.descending : c.key.startsWith('result:') };
        this.drawTable();
      });
    const rows = table.selectAll('tbody').data([0]).join('tbody').selectAll<HTMLTableRowElement, { r: ComparedRun; i: number }>('tr')
      .data(order, (d) => d.r.runId)
      .join('tr')
      .attr('data-run', (d) => d.r.runId)
      .order();
    rows.selectAll<HTMLTableCellElement, unknown>('td')
      .data((d) => [d, ...columns.map((c) => ({ d, c }))])
      .join('td')
      .attr('class', (x) => ('c' in x && x.c.num ? 'num' : null))
      .each((x, j, cells) => {
        const cell = cells[j];
        if (!('c' in x)) {
          const d = x as { r: ComparedRun; i: number };
          cell.replaceChildren();
          const tick = document.createElement('input');
          tick.type = 'checkbox';
          tick.checked = this.ticked.has(d.r.runId);
          tick.setAttribute('aria-label', `select ${d.r.label}`);
          tick.addEventListener('change', () => { if (tick.checked) this.ticked.add(d.r.runId); else this.ticked.delete(d.r.runId); this.updateCompareFiles(); });
          const swatch = document.createElement('span');
          swatch.className = `legend-swatch ${runStyle(d.i).mark}`;
          swatch.style.borderColor = runStyle(d.i).colour;
          cell.append(tick, swatch);
          return;
        }
        const v = x.c.value(x.d.r);
        cell.textContent = v === null ? '—' : typeof v !== 'number' || !x.c.num ? String(v)
          : x.c.key.includes('accuracy') ? `${(100 * v).toFixed(2)}%` : Number.isInteger(v) && Math.abs(v) >= 1 ? thousands(v) : formatFigure(v);
      });
    this.updateCompareFiles();
  }

  private updateCompareFiles(): void {
    const ready = this.ticked.size === 2;
    this.compareFiles.toggleAttribute('disabled', !ready);
  }
}
