// Layers × steps heatmap on a canvas: one row per layer, one column per pixel of the step axis (each
// sampled step fills the pixels up to the next sample; several samples in one pixel keep the
// largest). Colour is log10 of the value on the theme's ramp, empty (null) cells stay background,
// frozen rows say so. The canvas holds one pixel per cell row and CSS scales it (pixelated), so a
// redraw writes only width × layers pixels however long the run.
import * as d3 from 'd3';
import { appendSubtitle, createChartFrame } from './chartFrame';
import { formatFigure } from '../format';
import { themeRamp, type ColorRamp } from './colorRamp';
import { isFiniteNumber } from './downsample';
import { fitText, fontOf, maxTextWidth } from './textWidth';
import { Tooltip } from './tooltip';

export interface HeatmapRow {
  layer: string;
  frozen: boolean;
  /** Aligned with the frame's steps; null cells stay empty. */
  values: (number | null)[];
}

export interface HeatmapFrame {
  width: number;
  rows: HeatmapRow[];
  steps: number[];
  xDomain: [number, number];
  /** Where the last sample's column ends (its step plus the sampling interval). */
  lastEnd: number;
}

interface LogRow { logs: number[]; lo: number; hi: number; cells: number }

const GAP = 8;
const MARGIN = { top: 4, right: 12, bottom: 34 };
const LEGEND = { width: 180, height: 10, top: 8, bottom: 30 };

export class Heatmap {
  readonly root: HTMLDivElement;
  readonly subtitle: HTMLSpanElement;
  private readonly body: HTMLDivElement;
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly canvas: HTMLCanvasElement;
  private readonly legendCanvas: HTMLCanvasElement;
  private readonly legendSvg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly tooltip: Tooltip;
  private frame: HeatmapFrame | null = null;
  private x = d3.scaleLinear();
  private left = 0;
  private pointer: PointerEvent | null = null;
  private row = 18;
  private layoutKey = '';
  private legendKey = '';
  private legendRamp: ColorRamp | null = null;
  private readonly logCache = new WeakMap<(number | null)[], LogRow>();

  constructor(parent: HTMLElement, private readonly o: { id: string; title: string; valueLabel: string }) {
    const frame = createChartFrame(parent, o.id, o.title, 'chart-body heatmap-body');
    this.root = frame.root;
    this.body = frame.body;
    this.subtitle = appendSubtitle(frame.head);
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'heatmap-cells';
    this.svg = d3.select(this.body).append('svg').attr('class', 'chart-svg heatmap-svg');
    this.body.append(this.canvas);
    this.svg.append('g').attr('class', 'row-labels');
    this.svg.append('g').attr('class', 'row-lines');
    this.svg.append('g').attr('class', 'frozen-notes');
    this.svg.append('rect').attr('class', 'cell-highlight').attr('visibility', 'hidden');
    this.svg.append('g').attr('class', 'axis axis-x');
    this.svg.append('text').attr('class', 'axis-label axis-label-x').attr('text-anchor', 'middle').text('step');
    this.svg.append('rect').attr('class', 'overlay')
      .on('pointermove', (e: PointerEvent) => { this.pointer = e; this.hover(e); })
      .on('pointerleave', () => { this.pointer = null; this.unhover(); });
    const legend = document.createElement('div');
    legend.className = 'heatmap-legend';
    const caption = document.createElement('span');
    caption.className = 'heatmap-legend-caption';
    caption.textContent = o.valueLabel;
    const ramp = document.createElement('div');
    ramp.className = 'heatmap-legend-ramp';
    this.legendCanvas = document.createElement('canvas');
    this.legendCanvas.width = 256;
    this.legendCanvas.height = 1;
    this.legendCanvas.className = 'heatmap-legend-canvas';
    this.legendCanvas.style.width = `${LEGEND.width}px`;
    this.legendCanvas.style.height = `${LEGEND.height}px`;
    ramp.append(this.legendCanvas);
    this.legendSvg = d3.select(ramp).append('svg').attr('class', 'chart-svg').attr('width', LEGEND.width + 24).attr('height', 18);
    this.legendSvg.append('g').attr('class', 'axis').attr('transform', 'translate(12,0)');
    const empty = document.createElement('span');
    empty.className = 'heatmap-legend-empty';
    const swatch = document.createElement('span');
    swatch.className = 'empty-swatch';
    empty.append(swatch, 'empty: not sampled, frozen or non-finite');
    legend.append(caption, ramp, empty);
    this.root.append(legend);
    this.tooltip = new Tooltip(this.body);
  }

  render(frame: HeatmapFrame): void {
    this.frame = frame;
    const width = Math.max(200, Math.floor(frame.width));
    const rows = frame.rows;
    this.row = rows.length <= 8 ? 24 : 18;
    const ROW = this.row;
    const svgNode = this.svg.node()!;
    const font = fontOf(svgNode, 'chart-tick');
    const label = (r: HeatmapRow) => r.layer + (r.frozen ? ' (frozen)' : '');
    const labelW = Math.min(maxTextWidth(rows.map(label), font), Math.floor(width * 0.3));
    this.left = labelW + GAP;
    const plotW = Math.max(40, width - this.left - MARGIN.right);
    const plotH = rows.length * ROW;
    const height = MARGIN.top + plotH + MARGIN.bottom;
    this.x = d3.scaleLinear().domain(frame.xDomain).range([0, plotW]);

    // Cells: log10 values (kept per row as the rows grow) into one pixel per (column, layer).
    let lo = Infinity, hi = -Infinity, cells = 0;
    const logRows = rows.map((r) => {
      const c = this.logs(r.values);
      cells += c.cells;
      if (c.lo < lo) lo = c.lo;
      if (c.hi > hi) hi = c.hi;
      return c.logs;
    });
    if (!Number.isFinite(lo)) { lo = -3; hi = 0; }
    if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
    const ramp = themeRamp(this.root);
    const image = new ImageData(plotW, Math.max(1, rows.length));
    const data = image.data;
    const column = new Float64Array(plotW);
    const steps = frame.steps;
    // Pixel column of every sample's start (the last one's span ends at lastEnd), computed once.
    const [d0, d1] = frame.xDomain;
    const perStep = plotW / (d1 - d0 || 1);
    const starts = new Int32Array(steps.length + 1);
    for (let i = 0; i < steps.length; i++) starts[i] = Math.max(0, Math.floor((steps[i] - d0) * perStep));
    starts[steps.length] = Math.floor((frame.lastEnd - d0) * perStep);
    rows.forEach((_r, row) => {
      column.fill(NaN);
      const logs = logRows[row];
      const n = Math.min(steps.length, logs.length);
      for (let i = 0; i < n; i++) {
        const l = logs[i];
        if (Number.isNaN(l)) continue;
        const c0 = starts[i];
        const c1 = Math.min(plotW, Math.max(c0 + 1, starts[i + 1]));
        for (let c = c0; c < c1; c++) if (!(column[c] >= l)) column[c] = l;
      }
      for (let c = 0; c < plotW; c++) {
        const l = column[c];
        if (Number.isNaN(l)) continue;
        const k = Math.round(((l - lo) / (hi - lo)) * 255) * 4;
        const p = (row * plotW + c) * 4;
        data[p] = ramp.lut[k]; data[p + 1] = ramp.lut[k + 1]; data[p + 2] = ramp.lut[k + 2]; data[p + 3] = 255;
      }
    });
    const layoutKey = [width, labelW, ROW, ...frame.xDomain, ...rows.map((r) => `${r.layer}:${r.frozen}`)].join('|');
    const relayout = layoutKey !== this.layoutKey;
    this.layoutKey = layoutKey;
    if (relayout) {
      this.canvas.width = plotW;
      this.canvas.height = Math.max(1, rows.length);
      this.canvas.style.left = `${this.left}px`;
      this.canvas.style.top = `${MARGIN.top}px`;
      this.canvas.style.width = `${plotW}px`;
      this.canvas.style.height = `${Math.max(1, plotH)}px`;
    }
    this.canvas.getContext('2d')?.putImageData(image, 0, 0);
    this.root.dataset.columns = String(steps.length);
    this.root.dataset.rows = String(rows.length);
    this.root.dataset.cells = String(cells);

    if (relayout) this.layout(frame, width, height, plotW, labelW, font);
    if (`${lo}|${hi}` !== this.legendKey || ramp !== this.legendRamp || relayout) {
      this.legendKey = `${lo}|${hi}`;
      this.legendRamp = ramp;
      this.drawLegend(ramp.lut, lo, hi);
    }
    // A live update under the pointer refreshes the tooltip instead of dropping it.
    if (this.pointer) this.hover(this.pointer); else this.unhover();
  }

  /** Labels, row lines, frozen notes and the axis: only when the width, the layers or the steps change. */
  private layout(frame: HeatmapFrame, width: number, height: number, plotW: number, labelW: number, font: string): void {
    const rows = frame.rows;
    const ROW = this.row;
    const plotH = rows.length * ROW;
    const label = (r: HeatmapRow) => r.layer + (r.frozen ? ' (frozen)' : '');
    const svg = this.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    const at = `translate(${this.left},${MARGIN.top})`;
    svg.select('.row-labels').attr('transform', `translate(${this.left - GAP},${MARGIN.top})`)
      .selectAll<SVGTextElement, HeatmapRow>('text').data(rows, (r) => r.layer).join('text')
      .attr('class', (r) => (r.frozen ? 'row-label frozen' : 'row-label'))
      .attr('data-layer', (r) => r.layer)
      .attr('data-frozen', (r) => String(r.frozen))
      .attr('text-anchor', 'end').attr('y', (_r, i) => i * ROW + ROW / 2).attr('dy', '0.35em')
      .text((r) => fitText(label(r), labelW, font));
    svg.select('.row-lines').attr('transform', at).selectAll('line').data(d3.range(1, rows.length)).join('line')
      .attr('x1', 0).attr('x2', plotW).attr('y1', (i) => i * ROW).attr('y2', (i) => i * ROW);
    svg.select('.frozen-notes').attr('transform', at).selectAll('text')
      .data(rows.map((r, i) => ({ r, i })).filter((d) => d.r.frozen), (d) => (d as { r: HeatmapRow }).r.layer).join('text')
      .attr('x', 6).attr('y', (d) => d.i * ROW + ROW / 2).attr('dy', '0.35em').text('frozen: no gradient');
    const xTicks = this.x.ticks(Math.max(2, Math.floor(plotW / 80))).filter(Number.isInteger);
    svg.select<SVGGElement>('.axis-x').attr('transform', `translate(${this.left},${MARGIN.top + plotH})`)
      .call(d3.axisBottom(this.x).tickValues(xTicks).tickFormat(d3.format(frame.xDomain[1] >= 10_000 ? '~s' : 'd') as (v: d3.NumberValue) => string).tickSizeOuter(0));
    svg.select('.axis-label-x').attr('x', this.left + plotW / 2).attr('y', height - 4);
    svg.select('.overlay').attr('transform', at).attr('width', plotW).attr('height', plotH);
  }

  /** log10 of a row's values (NaN where empty), extended as the row grows; rows only ever grow. */
  private logs(values: (number | null)[]): LogRow {
    let c = this.logCache.get(values);
    if (!c || c.logs.length > values.length) this.logCache.set(values, (c = { logs: [], lo: Infinity, hi: -Infinity, cells: 0 }));
    for (let i = c.logs.length; i < values.length; i++) {
      const v = values[i];
      if (!isFiniteNumber(v) || v <= 0) { c.logs.push(NaN); continue; }
      const l = Math.log10(v);
      c.logs.push(l);
      c.cells++;
      if (l < c.lo) c.lo = l;
      if (l > c.hi) c.hi = l;
    }
    return c;
  }

  private drawLegend(lut: Uint8ClampedArray, lo: number, hi: number): void {
    const image = new ImageData(256, 1);
    image.data.set(lut);
    this.legendCanvas.getContext('2d')?.putImageData(image, 0, 0);
    const scale = d3.scaleLinear().domain([lo, hi]).range([0, LEGEND.width]);
    let ticks = d3.range(Math.ceil(lo), Math.floor(hi) + 1);
    if (ticks.length < 2) ticks = [lo, hi];
    while (ticks.length > 5) ticks = ticks.filter((_t, i) => i % 2 === 0);
    this.legendSvg.select<SVGGElement>('.axis').call(d3.axisBottom(scale).tickValues(ticks).tickSize(3)
      .tickFormat((t) => formatFigure(10 ** (t as number))).tickSizeOuter(0));
  }

  private hover(e: PointerEvent): void {
    const f = this.frame;
    if (!f || !f.rows.length) return;
    const [px, py] = d3.pointer(e, this.svg.select('.overlay').node());
    const ROW = this.row;
    const row = Math.min(f.rows.length - 1, Math.max(0, Math.floor(py / ROW)));
    const step = this.x.invert(px);
    const i = d3.bisectRight(f.steps, step) - 1;
    if (i < 0) { this.unhover(); return; }
    const r = f.rows[row];
    const end = i + 1 < f.steps.length ? f.steps[i + 1] : f.lastEnd;
    if (step > end) { this.unhover(); return; }
    const v = r.values[i];
    const x0 = this.x(f.steps[i]), x1 = Math.max(x0 + 2, this.x(end));
    this.svg.select('.cell-highlight').attr('visibility', 'visible')
      .attr('x', this.left + x0).attr('y', MARGIN.top + row * ROW).attr('width', x1 - x0).attr('height', ROW);
    const [bx, by] = d3.pointer(e, this.body);
    this.tooltip.show(bx, by, `${r.layer} · step ${f.steps[i]}`, [
      { label: this.o.valueLabel, value: r.frozen ? 'frozen' : isFiniteNumber(v) ? formatFigure(v) : 'none' },
    ]);
  }

  private unhover(): void {
    this.svg.select('.cell-highlight').attr('visibility', 'hidden');
    this.tooltip.hide();
  }
}
