// Per-class test accuracy as horizontal bars (0–100 %) with the class names and the number of test
// samples of each class; classes without test samples say so.
import * as d3 from 'd3';
import { fitText, fontOf, maxTextWidth } from './textWidth';
import { Tooltip } from './tooltip';

export interface ClassAccuracy {
  index: number;
  name: string;
  accuracy: number | null;
  support: number;
}

const ROW = 22;
const GAP = 8;
const MARGIN = { top: 4, right: 8, bottom: 34 };

export class ClassBars {
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly tooltip: Tooltip;

  constructor(private readonly body: HTMLElement) {
    this.svg = d3.select(body).append('svg').attr('class', 'chart-svg class-bars');
    this.svg.append('g').attr('class', 'grid grid-x');
    this.svg.append('g').attr('class', 'rows');
    this.svg.append('g').attr('class', 'axis axis-x');
    this.svg.append('text').attr('class', 'axis-label axis-label-x').attr('text-anchor', 'middle').text('test accuracy');
    this.tooltip = new Tooltip(body);
  }

  render(width: number, classes: ClassAccuracy[], overall: number | null): void {
    width = Math.max(200, Math.floor(width));
    const font = fontOf(this.svg.node()!, 'chart-tick');
    const value = (c: ClassAccuracy) => (c.accuracy === null ? 'no test samples' : `${(c.accuracy * 100).toFixed(1)}%  n=${c.support}`);
    const labelW = Math.min(maxTextWidth(classes.map((c) => c.name), font), Math.floor(width * 0.3));
    const valueW = maxTextWidth(classes.map(value), font);
    const left = labelW + GAP;
    const plotW = Math.max(60, width - left - GAP - valueW - MARGIN.right);
    const plotH = classes.length * ROW;
    const height = MARGIN.top + plotH + MARGIN.bottom;
    const x = d3.scaleLinear().domain([0, 1]).range([0, plotW]);
    const svg = this.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    const at = `translate(${left},${MARGIN.top})`;
    const ticks = x.ticks(Math.max(2, Math.min(10, Math.floor(plotW / 50))));
    svg.select('.grid-x').attr('transform', at).selectAll('line').data(overall === null ? ticks : [...ticks, overall]).join('line')
      .attr('class', (_t, i) => (i === ticks.length ? 'overall' : null))
      .attr('x1', (t) => x(t)).attr('x2', (t) => x(t)).attr('y1', 0).attr('y2', plotH);
    svg.select<SVGGElement>('.axis-x').attr('transform', `translate(${left},${MARGIN.top + plotH})`)
      .call(d3.axisBottom(x).tickValues(ticks).tickFormat(d3.format('.0%') as (v: d3.NumberValue) => string).tickSizeOuter(0));
    svg.select('.axis-label-x').attr('x', left + plotW / 2).attr('y', height - 4);
    const rows = svg.select('.rows').attr('transform', at).selectAll<SVGGElement, ClassAccuracy>('g.class-row')
      .data(classes, (c) => String(c.index))
      .join((enter) => {
        const g = enter.append('g').attr('class', 'class-row');
        g.append('rect').attr('class', 'row-hit');
        g.append('rect').attr('class', 'track');
        g.append('rect').attr('class', 'bar');
        g.append('text').attr('class', 'row-label').attr('text-anchor', 'end');
        g.append('text').attr('class', 'row-value');
        return g;
      })
      .attr('transform', (_c, i) => `translate(0,${i * ROW})`);
    rows.select('.row-hit').attr('x', -left).attr('width', width).attr('height', ROW);
    rows.select('.track').attr('y', 4).attr('height', ROW - 8).attr('width', plotW);
    rows.select('.bar').attr('y', 4).attr('height', ROW - 8)
      .attr('data-class', (c) => c.index).attr('data-name', (c) => c.name)
      .attr('data-value', (c) => (c.accuracy === null ? null : String(c.accuracy)))
      .attr('width', (c) => (c.accuracy === null ? 0 : x(c.accuracy)));
    rows.select('.row-label').attr('x', -GAP).attr('y', ROW / 2).attr('dy', '0.35em').text((c) => fitText(c.name, labelW, font));
    rows.select('.row-value').attr('x', plotW + GAP).attr('y', ROW / 2).attr('dy', '0.35em')
      .classed('missing', (c) => c.accuracy === null).text(value);
    rows.on('pointermove', (e: PointerEvent, c) => {
      const [bx, by] = d3.pointer(e, this.body);
      this.tooltip.show(bx, by, c.name, [
        { label: 'accuracy', value: c.accuracy === null ? '–' : `${(c.accuracy * 100).toFixed(2)}%` },
        { label: 'test samples', value: String(c.support) },
      ]);
    }).on('pointerleave', () => this.tooltip.hide());
  }
}
