// A layer's gradient histograms over time, as TensorBoard's "offset" histogram view: one ridge per
// sampled step, older ones higher up and behind, the newest in front at the bottom. Each ridge is
// scaled to its own peak (its shape), the x axis (gradient value) is shared, so widening or
// narrowing distributions read directly. Ridges are coloured by age on the theme's ramp (the
// heatmap's colours), the newest strongest.
import * as d3 from 'd3';
import type { HistogramSample } from '../../src/protocol/runState';
import { formatFigure, thousands } from '../format';
import { themeRamp } from './colorRamp';
import { fontOf, maxTextWidth } from './textWidth';
import { Tooltip } from './tooltip';

const MARGIN = { top: 10, bottom: 36, left: 14 };
const MAX_RIDGES = 60;

export class RidgePlot {
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly tooltip: Tooltip;
  private shown: HistogramSample[] = [];
  private baseline = (_s: number) => 0;

  /** `height`: the tallest the plot gets (with many ridges). */
  constructor(private readonly body: HTMLElement, private readonly height: number) {
    this.svg = d3.select(body).append('svg').attr('class', 'chart-svg ridge-plot');
    this.svg.append('g').attr('class', 'grid zero-line');
    this.svg.append('g').attr('class', 'ridges');
    this.svg.append('g').attr('class', 'axis axis-x');
    this.svg.append('g').attr('class', 'axis axis-y');
    this.svg.append('text').attr('class', 'axis-label axis-label-x').attr('text-anchor', 'middle').text('gradient value');
    this.svg.append('text').attr('class', 'axis-label axis-label-y').attr('text-anchor', 'end').text('step');
    this.svg.append('rect').attr('class', 'overlay')
      .on('pointermove', (e: PointerEvent) => this.hover(e))
      .on('pointerleave', () => this.unhover());
    this.tooltip = new Tooltip(body);
  }

  render(width: number, samples: HistogramSample[]): void {
    width = Math.max(200, Math.floor(width));
    this.svg.attr('display', samples.length ? null : 'none');
    if (!samples.length) { this.shown = []; this.tooltip.hide(); return; }
    // At most MAX_RIDGES, evenly spread, always keeping the newest.
    let shown = samples;
    if (samples.length > MAX_RIDGES) {
      const every = samples.length / MAX_RIDGES;
      shown = d3.range(MAX_RIDGES).map((k) => samples[samples.length - 1 - Math.floor(k * every)]).reverse();
    }
    this.shown = shown;
    const n = shown.length;
    const font = fontOf(this.svg.node()!, 'chart-tick');
    const steps = shown.map((s) => s.step);
    const stepLabelW = maxTextWidth(steps.map(String), font) + 12;
    const plotW = Math.max(60, width - MARGIN.left - stepLabelW - 6);
    // Height grows with the number of ridges, up to the configured maximum.
    const height = Math.min(this.height, 150 + 16 * n);
    const plotH = height - MARGIN.top - MARGIN.bottom;
    const amp = n > 1 ? Math.min(plotH * 0.3, 80) : plotH * 0.8;

    let lo = Infinity, hi = -Infinity;
    for (const s of shown) { lo = Math.min(lo, s.histogram.min); hi = Math.max(hi, s.histogram.max); }
    if (!(hi > lo)) { const m = Number.isFinite(lo) ? Math.abs(lo) || 1 : 1; lo = (Number.isFinite(lo) ? lo : 0) - m; hi = lo + 2 * m; }
    const x = d3.scaleLinear().domain([lo, hi]).range([0, plotW]).nice();
    const first = steps[0], last = steps[n - 1];
    const y = d3.scaleLinear().domain(n > 1 ? [first, last] : [first - 1, first]).range([amp, plotH]);
    this.baseline = (s) => y(s);

    const ramp = themeRamp(this.body);
    const svg = this.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    const at = `translate(${MARGIN.left},${MARGIN.top})`;
    svg.select('.zero-line').attr('transform', at).selectAll('line').data(lo < 0 && hi > 0 ? [0] : []).join('line')
      .attr('x1', x(0)).attr('x2', x(0)).attr('y1', 0).attr('y2', plotH);
    const ridge = (s: HistogramSample): string => {
      const { min, max, counts } = s.histogram;
      const peak = Math.max(1, ...counts);
      const w = (max - min) / Math.max(1, counts.length);
      const base = y(s.step);
      const pts: [number, number][] = [[x(min), base]];
      counts.forEach((c, k) => pts.push([x(min + (k + 0.5) * w), base - (c / peak) * amp]));
      pts.push([x(max), base]);
      return `M${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join('L')}Z`;
    };
    svg.select('.ridges').attr('transform', at).selectAll<SVGPathElement, HistogramSample>('path')
      .data(shown, (s) => String(s.step))
      .join('path')
      .attr('class', (_s, i) => (i === n - 1 ? 'ridge newest' : 'ridge'))
      .attr('data-step', (s) => s.step)
      .attr('d', ridge)
      .style('stroke', (_s, i) => ramp.css(n > 1 ? 0.15 + 0.85 * (i / (n - 1)) : 1))
      .order();

    const tickCount = Math.max(2, Math.floor(plotW / 90));
    svg.select<SVGGElement>('.axis-x').attr('transform', `translate(${MARGIN.left},${MARGIN.top + plotH})`)
      .call(d3.axisBottom(x).ticks(tickCount).tickFormat(x.tickFormat(tickCount)).tickSizeOuter(0));
    const yTicks = n <= 6 ? steps : d3.ticks(first, last, Math.max(2, Math.floor((plotH - amp) / 28))).filter(Number.isInteger);
    svg.select<SVGGElement>('.axis-y').attr('transform', `translate(${MARGIN.left + plotW + 4},${MARGIN.top})`)
      .call(d3.axisRight(y).tickValues(yTicks).tickFormat(d3.format('d') as (v: d3.NumberValue) => string).tickSizeOuter(0));
    svg.select('.axis-label-x').attr('x', MARGIN.left + plotW / 2).attr('y', height - 4);
    svg.select('.axis-label-y').attr('x', width - 2).attr('y', MARGIN.top + amp - 8);
    svg.select('.overlay').attr('transform', at).attr('width', plotW).attr('height', plotH);
    this.svg.attr('data-ridges', n);
    this.unhover();
  }

  private hover(e: PointerEvent): void {
    if (!this.shown.length) return;
    const [, py] = d3.pointer(e, this.svg.select('.overlay').node());
    // The ridge whose baseline is nearest below the pointer (ridges rise above their baseline).
    let best = this.shown[this.shown.length - 1];
    for (const s of this.shown) if (this.baseline(s.step) >= py - 2) { best = s; break; }
    this.svg.selectAll<SVGPathElement, HistogramSample>('path.ridge').classed('hovered', (s) => s === best);
    const h = best.histogram;
    const [bx, by] = d3.pointer(e, this.body);
    this.tooltip.show(bx, by, `step ${best.step}`, [
      { label: 'min', value: formatFigure(h.min) },
      { label: 'max', value: formatFigure(h.max) },
      { label: 'values', value: thousands(h.counts.reduce((a, b) => a + b, 0)) },
    ]);
  }

  private unhover(): void {
    this.svg.selectAll('path.ridge').classed('hovered', false);
    this.tooltip.hide();
  }
}
