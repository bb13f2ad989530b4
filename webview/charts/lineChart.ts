// A live line chart over training steps (SVG, d3): axes with labels, a legend, faint/solid/dashed
// lines and point series, and a hover rule with a tooltip of every series' value at that step.
// Long series are drawn downsampled (M4 per pixel column), so a redraw costs O(points) to scan and
// O(width) to draw, however long the run.
import * as d3 from 'd3';
import { appendSubtitle, createChartFrame } from './chartFrame';
import { ColumnDownsampler, isFiniteNumber } from './downsample';
import { fontOf, maxTextWidth } from './textWidth';
import { Tooltip, type TooltipRow } from './tooltip';

export type SeriesMark = 'line' | 'faint' | 'dashed' | 'points';

export interface LineSeries {
  /** data-series of the drawn element (tests and CSS find it by this). */
  id: string;
  label: string;
  /** Ascending x (steps). */
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
  /** A CSS colour: var(--ml-series-N) etc. */
  colour: string;
  mark: SeriesMark;
  /** Points series: circle (default) or diamond markers. */
  shape?: 'circle' | 'diamond';
  /** Shown in the legend (default true). */
  legend?: boolean;
  /** Counted into the y domain (default true). */
  domain?: boolean;
  /** Changes when values already drawn were replaced (the arrays may be reused and grow in place). */
  revision?: number;
}

export interface LineChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Height of the plot's SVG, margins included. */
  height: number;
  /** Tick and tooltip labels; `max` is the largest |value| of the y domain (one format per axis). */
  yFormat?: (v: number, max: number) => string;
  /** The y domain never leaves this range (accuracy: [0, 1]). */
  yClamp?: [number, number];
  /** The y domain always includes 0. */
  yZero?: boolean;
  /** The tooltip's first line for a step (default "step N"). */
  describeStep?: (step: number) => string;
}

export interface LineChartFrame {
  width: number;
  xDomain: [number, number];
  series: LineSeries[];
  /** Faint vertical lines (epoch boundaries). */
  xMarkers?: number[];
  /** A labelled vertical line in the error colour (where the run hit a non-finite loss). */
  alert?: { x: number; label: string } | null;
  /** Labelled dashed vertical lines (where reduce-on-plateau cut the rate). */
  cuts?: { x: number; label: string }[];
}

type LabelledLine = { x: number; label: string };

const MARGIN = { top: 8, right: 14, bottom: 38 };
const clipIds = { next: 0 };

export class LineChart {
  readonly root: HTMLDivElement;
  private readonly legend: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly subtitle: HTMLSpanElement;
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly tooltip: Tooltip;
  private frame: LineChartFrame | null = null;
  private x = d3.scaleLinear();
  private y = d3.scaleLinear();
  private left = 40;
  private pointer: PointerEvent | null = null;
  private legendKey = '';
  private axesKey = '';
  private readonly caches = new Map<string, { ds: ColumnDownsampler; key: string; closedD: string; used: number; d: string }>();

  constructor(parent: HTMLElement, private readonly o: LineChartOptions) {
    const frame = createChartFrame(parent, o.id, o.title);
    this.root = frame.root;
    this.body = frame.body;
    this.legend = document.createElement('div');
    this.legend.className = 'chart-legend';
    frame.head.append(this.legend);
    this.subtitle = appendSubtitle(frame.head);

    const clipId = `ml-clip-${o.id}-${clipIds.next++}`;
    this.svg = d3.select(this.body).append('svg').attr('class', 'chart-svg').attr('height', o.height);
    this.svg.append('defs').append('clipPath').attr('id', clipId).append('rect');
    this.svg.append('g').attr('class', 'grid grid-y');
    this.svg.append('g').attr('class', 'markers');
    this.svg.append('g').attr('class', 'axis axis-x');
    this.svg.append('g').attr('class', 'axis axis-y');
    this.svg.append('text').attr('class', 'axis-label axis-label-x').attr('text-anchor', 'middle').text(o.xLabel);
    this.svg.append('text').attr('class', 'axis-label axis-label-y').attr('text-anchor', 'middle').text(o.yLabel);
    this.svg.append('g').attr('class', 'plot').attr('clip-path', `url(#${clipId})`);
    this.svg.append('g').attr('class', 'cuts');
    this.svg.append('g').attr('class', 'alert');
    this.svg.append('g').attr('class', 'hover').attr('visibility', 'hidden').append('line').attr('class', 'hover-rule');
    this.svg.append('rect').attr('class', 'overlay')
      .on('pointermove', (e: PointerEvent) => { this.pointer = e; this.hover(e); })
      .on('pointerleave', () => { this.pointer = null; this.unhover(); });
    this.tooltip = new Tooltip(this.body);
  }

  render(frame: LineChartFrame): void {
    this.frame = frame;
    const o = this.o;
    const width = Math.max(160, Math.floor(frame.width));
    const height = o.height;
    const plotH = height - MARGIN.top - MARGIN.bottom;

    // Downsample first: O(new points) per series. Columns are per pixel of the whole width (a bit
    // finer than the plot), so they do not depend on the y labels' width.
    const drawn = frame.series.map((s) => {
      if (s.mark === 'points') {
        const idx = finiteIndices(s.y);
        let lo = Infinity, hi = -Infinity;
        for (const i of idx) { const v = s.y[i] as number; if (v < lo) lo = v; if (v > hi) hi = v; }
        return { s, idx, lo, hi, cache: null };
      }
      let cache = this.caches.get(s.id);
      if (!cache) this.caches.set(s.id, (cache = { ds: new ColumnDownsampler(), key: '', closedD: '', used: 0, d: '' }));
      cache.ds.update(s.x, s.y, frame.xDomain, width, s.revision ?? 0);
      return { s, idx: cache.ds.indices(), lo: cache.ds.lo, hi: cache.ds.hi, cache };
    });

    let lo = Infinity, hi = -Infinity;
    for (const d of drawn) {
      if (d.s.domain === false) continue;
      lo = Math.min(lo, d.lo);
      hi = Math.max(hi, d.hi);
    }
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
    if (o.yZero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
    if (lo === hi) { const pad = Math.abs(lo) * 0.1 || 1; lo -= pad; hi += pad; }
    const pad = (hi - lo) * 0.04;
    // Padding never takes a non-negative series (losses, rates) below zero.
    lo = lo >= 0 ? Math.max(0, lo - pad) : lo - pad;
    hi += pad;
    if (o.yClamp) { lo = Math.max(lo, o.yClamp[0]); hi = Math.min(hi, o.yClamp[1]); }
    const yTickCount = Math.max(2, Math.round(plotH / 40));
    const y = d3.scaleLinear().domain([lo, hi]).range([plotH, 0]).nice(yTickCount);
    if (o.yClamp) y.domain([Math.max(y.domain()[0], o.yClamp[0]), Math.min(y.domain()[1], o.yClamp[1])]);
    const markers = (frame.xMarkers ?? []).filter((m) => m > frame.xDomain[0] && m < frame.xDomain[1]);
    const axesKey = `${width}|${frame.xDomain.join(',')}|${y.domain().join(',')}|${markers.length}`;
    if (axesKey !== this.axesKey) {
      this.axesKey = axesKey;
      this.y = y;
      this.drawAxes(width, frame.xDomain, markers);
    }
    const x = this.x;

    const groups = this.svg.select('.plot').selectAll<SVGGElement, (typeof drawn)[number]>('g.series')
      .data(drawn, (d) => d.s.id)
      .join('g')
      .attr('class', (d) => `series series-${d.s.mark}`)
      .attr('data-series', (d) => d.s.id)
      .attr('data-points', (d) => d.s.y.length)
      .attr('data-drawn', (d) => d.idx.length)
      .attr('data-last', (d) => (d.idx.length ? String(d.s.y[d.idx[d.idx.length - 1]]) : null))
      .attr('data-x-first', (d) => (d.idx.length ? String(d.s.x[d.idx[0]]) : null))
      .attr('data-x-last', (d) => (d.idx.length ? String(d.s.x[d.idx[d.idx.length - 1]]) : null));
    groups.each(function (d) {
      const g = d3.select(this);
      if (!d.cache) {
        g.selectAll('path.line').remove();
        const symbol = d3.symbol(d.s.shape === 'diamond' ? d3.symbolDiamond : d3.symbolCircle, d.s.shape === 'diamond' ? 48 : 36)();
        // Points of one series are joined by a thin line: the epoch-to-epoch trend.
        g.selectAll('path.trend').data([0]).join('path').attr('class', 'trend')
          .attr('d', segments(d.s, d.idx, 0, d.idx.length, x, y, true)).style('stroke', d.s.colour);
        g.selectAll('path.point').data(d.idx, (i) => String(d.s.x[i as number])).join('path')
          .attr('class', 'point').attr('d', symbol)
          .attr('transform', (i) => `translate(${x(d.s.x[i]).toFixed(1)},${y(d.s.y[i] as number).toFixed(1)})`)
          .style('fill', d.s.colour);
        return;
      }
      // The closed columns' path is extended in place; only the open column is redrawn.
      const c = d.cache;
      const key = `${axesKey}|${c.ds.generation}`;
      if (key !== c.key) { c.key = key; c.closedD = ''; c.used = 0; }
      const closed = c.ds.closed;
      if (c.used < closed.length) { c.closedD += segments(d.s, closed, c.used, closed.length, x, y, c.used === 0); c.used = closed.length; }
      let dAttr = c.closedD + segments(d.s, c.ds.open, 0, c.ds.open.length, x, y, c.used === 0);
      // A lone point is a zero-length segment, which the round line cap draws as a dot.
      const lone = closed.length + c.ds.open.length === 1;
      if (lone) dAttr += dAttr.replace('M', 'L');
      const path = g.selectAll<SVGPathElement, number>('path.line').data([0]).join('path').attr('class', lone ? 'line lone' : 'line').style('stroke', d.s.colour);
      if (dAttr !== c.d) { c.d = dAttr; path.attr('d', dAttr); }
    });

    const inView = (a: LabelledLine) => a.x >= frame.xDomain[0] && a.x <= frame.xDomain[1];
    this.drawLabelledLines('alert', frame.alert && inView(frame.alert) ? [frame.alert] : [], plotH, 10);
    this.drawLabelledLines('cuts', (frame.cuts ?? []).filter(inView), plotH, 22);
    this.renderLegend(frame.series);
    // A live update under the pointer refreshes the tooltip instead of dropping it.
    if (this.pointer) this.hover(this.pointer); else this.unhover();
  }

  /** Vertical lines with a label near the top (`textY`), in the group of class `kind`. */
  private drawLabelledLines(kind: 'alert' | 'cuts', items: LabelledLine[], plotH: number, textY: number): void {
    const x = this.x;
    const [, plotW] = x.range();
    const lines = this.svg.select(`.${kind}`).selectAll<SVGGElement, LabelledLine>('g').data(items, (a) => String(a.x)).join((enter) => {
      const g = enter.append('g');
      g.append('line');
      g.append('text').attr('y', textY);
      return g;
    }).attr('transform', (a) => `translate(${x(a.x).toFixed(1)},0)`).attr(kind === 'alert' ? 'data-alert' : 'data-cut', (a) => a.x);
    lines.select('line').attr('y1', 0).attr('y2', plotH);
    // The label sits left of the line when the line is in the right half.
    lines.select('text').attr('x', (a) => (x(a.x) > plotW / 2 ? -4 : 4)).attr('text-anchor', (a) => (x(a.x) > plotW / 2 ? 'end' : 'start')).text((a) => a.label);
  }

  /** The text after the legend (what the chart's figures are, how its x steps). */
  setSubtitle(text: string): void {
    if (this.subtitle.textContent !== text) this.subtitle.textContent = text;
  }

  private drawAxes(width: number, xDomain: [number, number], markers: number[]): void {
    const o = this.o;
    const height = o.height;
    const plotH = height - MARGIN.top - MARGIN.bottom;
    const yTicks = this.y.ticks(Math.max(2, Math.round(plotH / 40)));
    const max = Math.max(...this.y.domain().map(Math.abs));
    const yFormat = o.yFormat ? (v: number) => o.yFormat!(v, max) : this.y.tickFormat(yTicks.length);
    const font = fontOf(this.svg.node()!, 'chart-tick');
    this.left = maxTextWidth(yTicks.map(yFormat), font) + 10 + 18;
    const plotW = Math.max(40, width - this.left - MARGIN.right);
    this.x = d3.scaleLinear().domain(xDomain).range([0, plotW]);

    const svg = this.svg.attr('width', width).attr('viewBox', `0 0 ${width} ${height}`);
    const at = `translate(${this.left},${MARGIN.top})`;
    svg.select('clipPath rect').attr('x', -6).attr('y', -6).attr('width', plotW + 12).attr('height', plotH + 12);
    svg.selectAll<SVGGElement, unknown>('.plot, .grid-y, .markers, .hover, .alert, .cuts').attr('transform', at);
    svg.select('.overlay').attr('transform', at).attr('width', plotW).attr('height', plotH);
    const xTicks = this.x.ticks(Math.max(2, Math.floor(plotW / 80))).filter(Number.isInteger);
    const xFormat = (xDomain[1] >= 10_000 ? d3.format('~s') : d3.format('d')) as (v: d3.NumberValue) => string;
    svg.select<SVGGElement>('.axis-x').attr('transform', `translate(${this.left},${MARGIN.top + plotH})`)
      .call(d3.axisBottom(this.x).tickValues(xTicks).tickFormat(xFormat).tickSizeOuter(0));
    svg.select<SVGGElement>('.axis-y').attr('transform', at)
      .call(d3.axisLeft(this.y).tickValues(yTicks).tickFormat((v) => yFormat(v as number)).tickSizeOuter(0));
    svg.select('.grid-y').selectAll('line').data(yTicks).join('line')
      .attr('x1', 0).attr('x2', plotW).attr('y1', (v) => this.y(v)).attr('y2', (v) => this.y(v));
    svg.select('.markers').selectAll('line').data(markers).join('line')
      .attr('x1', (m) => this.x(m)).attr('x2', (m) => this.x(m)).attr('y1', 0).attr('y2', plotH);
    svg.select('.axis-label-x').attr('x', this.left + plotW / 2).attr('y', height - 4);
    svg.select('.axis-label-y').attr('transform', `translate(12,${MARGIN.top + plotH / 2}) rotate(-90)`);
  }

  private renderLegend(series: LineSeries[]): void {
    const shown = series.filter((s) => s.legend !== false);
    const key = shown.map((s) => `${s.id}:${s.label}:${s.mark}:${s.colour}`).join('|');
    if (key === this.legendKey) return;
    this.legendKey = key;
    d3.select(this.legend).selectAll('span.legend-item').data(shown, (s) => (s as LineSeries).id)
      .join((enter) => {
        const item = enter.append('span').attr('class', 'legend-item');
        item.append('span').attr('class', 'legend-swatch');
        item.append('span').attr('class', 'legend-label');
        return item;
      })
      .attr('data-legend', (s) => s.id)
      .call((item) => item.select('.legend-swatch')
        .attr('class', (s) => `legend-swatch ${s.mark}${s.shape === 'diamond' ? ' diamond' : ''}`)
        .style('border-color', (s) => s.colour).style('background-color', (s) => (s.mark === 'points' ? s.colour : null)))
      .call((item) => item.select('.legend-label').text((s) => s.label));
  }

  private hover(e: PointerEvent): void {
    const frame = this.frame;
    if (!frame) return;
    const [px] = d3.pointer(e, this.svg.select('.plot').node());
    const step = Math.round(this.x.invert(px));
    const rows: TooltipRow[] = [];
    const dots: { x: number; y: number; colour: string; id: string }[] = [];
    const max = Math.max(...this.y.domain().map(Math.abs));
    const format = this.o.yFormat ? (v: number) => this.o.yFormat!(v, max) : (v: number) => d3.format('.4~g')(v);
    for (const s of frame.series) {
      if (s.legend === false) continue;
      const i = nearestFinite(s, step);
      if (i < 0) continue;
      const n = s.x.length;
      const spacing = n > 1 ? Math.abs(this.x(s.x[n - 1]) - this.x(s.x[0])) / (n - 1) : 0;
      if (Math.abs(this.x(s.x[i]) - px) > Math.max(10, spacing * 0.6)) continue;
      const v = s.y[i] as number;
      rows.push({ label: s.label, value: format(v), colour: s.colour, dashed: s.mark === 'dashed' });
      dots.push({ x: this.x(s.x[i]), y: this.y(v), colour: s.colour, id: s.id });
    }
    const hover = this.svg.select('.hover').attr('visibility', rows.length ? 'visible' : 'hidden');
    if (!rows.length) { this.tooltip.hide(); return; }
    const [, plotH] = this.y.range();
    hover.select('.hover-rule').attr('x1', this.x(step)).attr('x2', this.x(step)).attr('y1', 0).attr('y2', plotH);
    hover.selectAll('circle').data(dots, (d) => (d as { id: string }).id).join('circle').attr('r', 3.5)
      .attr('cx', (d) => d.x).attr('cy', (d) => d.y).style('fill', (d) => d.colour);
    const [bx, by] = d3.pointer(e, this.body);
    this.tooltip.show(bx, by, this.o.describeStep?.(step) ?? `step ${step}`, rows);
  }

  private unhover(): void {
    this.svg.select('.hover').attr('visibility', 'hidden');
    this.tooltip.hide();
  }
}

function finiteIndices(y: ArrayLike<number | null>): number[] {
  const out: number[] = [];
  for (let i = 0; i < y.length; i++) if (isFiniteNumber(y[i])) out.push(i);
  return out;
}

/** "M x,y L x,y …" of idx[from..to) (string building is much cheaper than d3.line's generality). */
function segments(s: LineSeries, idx: number[], from: number, to: number, x: d3.ScaleLinear<number, number>, y: d3.ScaleLinear<number, number>, start: boolean): string {
  let out = '';
  for (let k = from; k < to; k++) {
    const i = idx[k];
    out += `${start && k === from ? 'M' : 'L'}${x(s.x[i]).toFixed(1)},${y(s.y[i] as number).toFixed(1)}`;
  }
  return out;
}

/** Index of the finite point nearest to `step` (binary search on ascending x), or -1. */
function nearestFinite(s: LineSeries, step: number): number {
  const n = Math.min(s.x.length, s.y.length);
  if (!n) return -1;
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.x[mid] < step) lo = mid + 1; else hi = mid;
  }
  let best = -1;
  for (let d = 0; d <= 64 && best < 0; d++) {
    for (const i of [lo - 1 - d, lo + d]) {
      if (i < 0 || i >= n || !isFiniteNumber(s.y[i])) continue;
      if (best < 0 || Math.abs(s.x[i] - step) < Math.abs(s.x[best] - step)) best = i;
    }
  }
  return best;
}
