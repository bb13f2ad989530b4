// The confusion matrix of the latest evaluation: rows are true classes, columns predicted ones;
// each cell shows its count and is coloured by its share of the row (so rare classes read as well
// as common ones), on the theme's chart blue.
import * as d3 from 'd3';
import { fitText, fontOf, maxTextWidth, textWidth } from './textWidth';
import { Tooltip } from './tooltip';

const TITLE = 18;
const GAP = 6;
const MAX_CELL = 48;

export class ConfusionMatrix {
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly tooltip: Tooltip;

  constructor(private readonly body: HTMLElement) {
    this.svg = d3.select(body).append('svg').attr('class', 'chart-svg confusion');
    this.svg.append('g').attr('class', 'cells');
    this.svg.append('g').attr('class', 'labels-true');
    this.svg.append('g').attr('class', 'labels-pred');
    this.svg.append('text').attr('class', 'axis-label axis-title-true').attr('text-anchor', 'middle').text('true');
    this.svg.append('text').attr('class', 'axis-label axis-title-pred').attr('text-anchor', 'middle').text('predicted');
    this.tooltip = new Tooltip(body);
  }

  render(width: number, confusion: number[][], names: string[]): void {
    width = Math.max(160, Math.floor(width));
    const n = confusion.length;
    const font = fontOf(this.svg.node()!, 'chart-tick');
    const rowLabelW = Math.min(maxTextWidth(names, font), Math.floor(width * 0.25));
    const left = TITLE + rowLabelW + GAP;
    const cell = Math.max(4, Math.min(MAX_CELL, Math.floor((width - left - 4) / Math.max(1, n))));
    const size = cell * n;
    // Column labels: horizontal when they fit in a cell, else vertical; every k-th when cells are tiny.
    const colLabelW = Math.min(maxTextWidth(names, font), 120);
    const vertical = colLabelW > cell - 4;
    const every = Math.max(1, Math.ceil(14 / cell));
    const labelBand = vertical ? colLabelW + GAP : 16;
    const height = size + GAP + labelBand + TITLE + 4;
    const svg = this.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);

    const rowTotals = confusion.map((r) => r.reduce((a, b) => a + b, 0));
    type Cell = { t: number; p: number; count: number; share: number };
    const cells: Cell[] = [];
    for (let t = 0; t < n; t++) for (let p = 0; p < n; p++) {
      const count = confusion[t][p] ?? 0;
      cells.push({ t, p, count, share: rowTotals[t] ? count / rowTotals[t] : 0 });
    }
    const showCounts = cell >= 20;
    const name = (k: number) => names[k] ?? String(k);
    const g = svg.select('.cells').attr('transform', `translate(${left},0)`).selectAll<SVGGElement, Cell>('g.cell')
      .data(cells, (c) => `${c.t}:${c.p}`)
      .join((enter) => {
        const c = enter.append('g').attr('class', 'cell');
        c.append('rect');
        c.append('text').attr('text-anchor', 'middle').attr('dy', '0.35em');
        return c;
      })
      .attr('transform', (c) => `translate(${c.p * cell},${c.t * cell})`)
      .classed('diagonal', (c) => c.t === c.p)
      .classed('strong', (c) => c.share > 0.55);
    g.select('rect').attr('width', cell - 1).attr('height', cell - 1)
      .attr('data-true', (c) => c.t).attr('data-pred', (c) => c.p)
      .attr('data-count', (c) => c.count).attr('data-share', (c) => c.share.toFixed(4))
      .style('fill-opacity', (c) => (c.count ? 0.08 + 0.92 * c.share : 0));
    g.select('text').attr('x', (cell - 1) / 2).attr('y', (cell - 1) / 2)
      .text((c) => (showCounts && c.count && textWidth(String(c.count), font) <= cell - 4 ? String(c.count) : ''));
    g.on('pointermove', (e: PointerEvent, c) => {
      const [bx, by] = d3.pointer(e, this.body);
      this.tooltip.show(bx, by, `true ${name(c.t)} → predicted ${name(c.p)}`, [
        { label: 'count', value: String(c.count) },
        { label: `share of true ${name(c.t)}`, value: `${(c.share * 100).toFixed(1)}%` },
      ]);
    }).on('pointerleave', () => this.tooltip.hide());

    svg.select('.labels-true').attr('transform', `translate(${left - GAP},0)`).selectAll('text')
      .data(d3.range(n).filter((k) => k % every === 0)).join('text')
      .attr('text-anchor', 'end').attr('y', (k) => k * cell + cell / 2).attr('dy', '0.35em')
      .text((k) => fitText(name(k), rowLabelW, font));
    svg.select('.labels-pred').attr('transform', `translate(${left},${size + GAP})`).selectAll('text')
      .data(d3.range(n).filter((k) => k % every === 0)).join('text')
      .attr('text-anchor', vertical ? 'end' : 'middle')
      .attr('transform', (k) => (vertical ? `translate(${k * cell + cell / 2},0) rotate(-90)` : `translate(${k * cell + cell / 2},0)`))
      .attr('dy', vertical ? '0.35em' : '0.8em')
      .text((k) => fitText(name(k), colLabelW, font));
    svg.select('.axis-title-true').attr('transform', `translate(12,${size / 2}) rotate(-90)`);
    svg.select('.axis-title-pred').attr('x', left + size / 2).attr('y', height - 6);
  }
}
