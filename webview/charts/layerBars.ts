// Horizontal bars per layer on a log scale, one row per layer in model order (input at the top):
// the classic gradient-flow plot (mean |g| in front of max |g|) and the update-to-weight ratio with
// its 1e-3 guide. Frozen layers and non-finite values say so in their row instead of a bar.
import * as d3 from 'd3';
import { appendSubtitle, createChartFrame } from './chartFrame';
import { formatFigure } from '../format';
import { isFiniteNumber } from './downsample';
import { fitText, fontOf, maxTextWidth, textWidth } from './textWidth';
import { Tooltip } from './tooltip';

export interface BarMetric {
  key: string;
  label: string;
  colour: string;
  /** 'back': a full-height faint bar behind; 'front': a narrower solid bar in front. */
  layer: 'back' | 'front';
}

export interface LayerRow {
  layer: string;
  frozen: boolean;
  values: Record<string, number | null>;
}

export interface LayerBarsOptions {
  id: string;
  title: string;
  axisLabel: string;
  metrics: BarMetric[];
  /** A dashed reference line (the update ratio's 1e-3). */
  guide?: { value: number; label: string };
  /** Values outside this range are drawn in the warning colour. */
  healthy?: [number, number];
  onLayerClick?: (layer: string) => void;
}

const ROW = 22;
const MARGIN = { top: 18, right: 10, bottom: 36 };
const GAP = 10;

export class LayerBars {
  readonly root: HTMLDivElement;
  readonly subtitle: HTMLSpanElement;
  private readonly body: HTMLDivElement;
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly tooltip: Tooltip;
  private layoutKey = '';
  /** Back (wide, faint) bars first, so front ones are drawn over them. */
  private readonly drawOrder: BarMetric[];

  constructor(parent: HTMLElement, private readonly o: LayerBarsOptions) {
    this.drawOrder = [...o.metrics.filter((m) => m.layer === 'back'), ...o.metrics.filter((m) => m.layer === 'front')];
    const frame = createChartFrame(parent, o.id, o.title);
    this.root = frame.root;
    this.body = frame.body;
    this.subtitle = appendSubtitle(frame.head);
    const legend = document.createElement('div');
    legend.className = 'chart-legend';
    for (const m of o.metrics) legend.append(legendItem(m.label, `bar${m.layer === 'back' ? ' faint' : ''}`, m.colour));
    if (o.guide) legend.append(legendItem(o.guide.label, 'guide', 'var(--vscode-foreground)'));
    if (o.healthy) legend.append(legendItem(`outside ${decade(o.healthy[0])}…${decade(o.healthy[1])}`, 'bar', 'var(--ml-warn)'));
    frame.head.append(legend);
    this.svg = d3.select(this.body).append('svg').attr('class', 'chart-svg layer-bars');
    this.svg.append('g').attr('class', 'grid grid-x');
    this.svg.append('g').attr('class', 'rows');
    this.svg.append('g').attr('class', 'guide');
    this.svg.append('g').attr('class', 'axis axis-x');
    this.svg.append('text').attr('class', 'axis-label axis-label-x').attr('text-anchor', 'middle').text(o.axisLabel);
    this.svg.append('text').attr('class', 'values-head').attr('text-anchor', 'end');
    this.tooltip = new Tooltip(this.body);
  }

  render(width: number, rows: LayerRow[]): void {
    const o = this.o;
    width = Math.max(200, Math.floor(width));
    const font = fontOf(this.svg.node()!, 'chart-tick');
    // Values are drawn in the editor's (fixed-width) font: their column is as wide as the longest.
    const valueFont = fontOf(this.svg.select('.values-head').node() as Element, 'chart-value');
    const valueText = (r: LayerRow) => (r.frozen ? '' : o.metrics.map((m) => formatFigure(r.values[m.key])).join(' / '));
    const valuesHead = o.metrics.length > 1 ? o.metrics.map((m) => m.label).join(' / ') : '';
    const texts = rows.map(valueText);
    const longest = Math.max(valuesHead.length, ...texts.map((t) => t.length));
    const valueW = Math.ceil(textWidth('0'.repeat(longest), valueFont));
    const labelFull = (r: LayerRow) => r.layer + (r.frozen ? ' (frozen)' : '');
    const labelW = Math.min(maxTextWidth(rows.map(labelFull), font), Math.floor(width * 0.35));
    const left = labelW + GAP;
    const plotW = Math.max(60, width - left - GAP - valueW - MARGIN.right);
    const plotH = rows.length * ROW;
    const height = MARGIN.top + plotH + MARGIN.bottom;

    // Log domain in whole decades around every value (and the guide).
    let lo = Infinity, hi = -Infinity;
    for (const r of rows) for (const m of o.metrics) {
      const v = r.values[m.key];
      if (isFiniteNumber(v) && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    if (o.guide) { lo = Math.min(lo, o.guide.value); hi = Math.max(hi, o.guide.value); }
    if (!Number.isFinite(lo)) { lo = 1e-4; hi = 1; }
    let d0 = Math.floor(Math.log10(lo)), d1 = Math.ceil(Math.log10(hi));
    if (d1 - d0 < 2) { d0 -= 1; d1 = Math.max(d1, d0 + 2); }
    const x = d3.scaleLog().domain([10 ** d0, 10 ** d1]).range([0, plotW]).clamp(true);
    const at = `translate(${left},${MARGIN.top})`;

    // Axes, guide, row positions and labels change only with the width, the layers or the decades:
    // a live update touches just the bars and the values.
    const layoutKey = [width, valueW, labelW, d0, d1, ...rows.map((r) => `${r.layer}:${r.frozen}`)].join('|');
    const relayout = layoutKey !== this.layoutKey;
    this.layoutKey = layoutKey;
    const svg = this.svg;
    if (relayout) {
      const step = Math.max(1, Math.ceil((d1 - d0) / Math.max(1, Math.floor(plotW / 44))));
      const ticks = d3.range(d0, d1 + 1, step).map((d) => 10 ** d);
      svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
      svg.select('.grid-x').attr('transform', at).selectAll('line').data(ticks).join('line')
        .attr('x1', (t) => x(t)).attr('x2', (t) => x(t)).attr('y1', 0).attr('y2', plotH);
      svg.select<SVGGElement>('.axis-x').attr('transform', `translate(${left},${MARGIN.top + plotH})`)
        .call(d3.axisBottom(x).tickValues(ticks).tickFormat((t) => decade(t as number)).tickSizeOuter(0));
      svg.select('.axis-label-x').attr('x', left + plotW / 2).attr('y', height - 4);
      svg.select('.values-head').attr('x', width - MARGIN.right).attr('y', MARGIN.top - 6).text(valuesHead);
      const guide = svg.select('.guide').attr('transform', at).selectAll('g').data(o.guide ? [o.guide] : []).join((enter) => {
        const g = enter.append('g');
        g.append('line');
        g.append('text').attr('text-anchor', 'middle');
        return g;
      });
      guide.select('line').attr('x1', (g) => x(g.value)).attr('x2', (g) => x(g.value)).attr('y1', -4).attr('y2', plotH);
      guide.select('text').attr('x', (g) => x(g.value)).attr('y', -7).text((g) => g.label);
      svg.select('.rows').attr('transform', at);
    }

    const rowSel = svg.select('.rows').selectAll<SVGGElement, LayerRow>('g.layer-row')
      .data(rows, (r) => r.layer)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'layer-row');
        g.append('rect').attr('class', 'row-hit');
        g.append('text').attr('class', 'row-label').attr('text-anchor', 'end');
        g.append('text').attr('class', 'row-note');
        g.append('text').attr('class', 'row-value').attr('text-anchor', 'end');
        return g;
      });
    if (relayout) {
      rowSel.attr('data-layer', (r) => r.layer)
        .attr('data-frozen', (r) => String(r.frozen))
        .attr('class', (r) => `layer-row${r.frozen ? ' frozen' : ''}`)
        .attr('transform', (_r, i) => `translate(0,${i * ROW})`);
      rowSel.select('.row-hit').attr('x', -left).attr('y', 0).attr('width', width).attr('height', ROW);
      rowSel.select('.row-label').attr('x', -GAP).attr('y', ROW / 2).attr('dy', '0.35em')
        .classed('link', !!o.onLayerClick)
        .text((r) => fitText(labelFull(r), labelW, font));
      rowSel.select('.row-value').attr('x', width - left - MARGIN.right).attr('y', ROW / 2).attr('dy', '0.35em');
      rowSel.select('.row-note').attr('x', 4).attr('y', ROW / 2).attr('dy', '0.35em');
    }
    const missing = (r: LayerRow) => !r.frozen && o.metrics.every((m) => !isFiniteNumber(r.values[m.key]));
    rowSel.select('.row-value').text((_r, i) => texts[i]);
    rowSel.select('.row-note')
      .attr('class', (r) => `row-note${missing(r) ? ' problem' : ''}`)
      .text((r) => (r.frozen ? 'frozen: no gradient' : missing(r) ? 'non-finite or missing' : ''));
    const front = Math.round(ROW * 0.36), back = Math.round(ROW * 0.72);
    const healthy = o.healthy;
    rowSel.selectAll<SVGRectElement, { m: BarMetric; r: LayerRow }>('rect.bar')
      .data((r) => (r.frozen ? [] : this.drawOrder.filter((m) => isFiniteNumber(r.values[m.key])).map((m) => ({ m, r }))), (d) => d.m.key)
      .join((enter) => enter.append('rect')
        .attr('class', (d) => `bar bar-${d.m.layer}`)
        .attr('data-layer', (d) => d.r.layer)
        .attr('data-metric', (d) => d.m.key)
        .attr('x', 0)
        .attr('y', (d) => (ROW - (d.m.layer === 'back' ? back : front)) / 2)
        .attr('height', (d) => (d.m.layer === 'back' ? back : front)))
      .attr('data-value', (d) => String(d.r.values[d.m.key]))
      .attr('width', (d) => Math.max(1, x(Math.max(d.r.values[d.m.key] as number, 10 ** d0))))
      .style('fill', (d) => {
        const v = d.r.values[d.m.key] as number;
        return healthy && (v < healthy[0] || v > healthy[1]) ? 'var(--ml-warn)' : d.m.colour;
      })
      .order();

    rowSel.on('pointermove', (e: PointerEvent, r) => {
      const [bx, by] = d3.pointer(e, this.body);
      const rows2 = r.frozen ? [{ label: 'frozen', value: 'no gradient' }]
        : o.metrics.map((m) => ({ label: m.label, value: formatFigure(r.values[m.key]), colour: m.colour }));
      this.tooltip.show(bx, by, r.layer, rows2);
    }).on('pointerleave', () => this.tooltip.hide())
      .on('click', (_e, r) => o.onLayerClick?.(r.layer));
  }

}

function legendItem(label: string, swatch: string, colour: string): HTMLSpanElement {
  const item = document.createElement('span');
  item.className = 'legend-item';
  const sw = document.createElement('span');
  sw.className = `legend-swatch ${swatch}`;
  sw.style.borderColor = colour;
  if (swatch.startsWith('bar')) sw.style.backgroundColor = colour;
  const text = document.createElement('span');
  text.textContent = label;
  item.append(sw, text);
  return item;
}

/** 1e-3 style for powers of ten. */
export function decade(v: number): string {
  return d3.format('.0e')(v).replace('e+', 'e');
}
