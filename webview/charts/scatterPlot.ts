// A regression's test predictions against the truth: one dot per sample and the diagonal where a
// perfect model's dots would lie.
import * as d3 from 'd3';

const MARGIN = { top: 8, right: 12, bottom: 36, left: 52 };

export class ScatterPlot {
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;

  constructor(body: HTMLElement) {
    this.svg = d3.select(body).append('svg').attr('class', 'chart-svg scatter-plot');
    this.svg.append('g').attr('class', 'axis axis-x');
    this.svg.append('g').attr('class', 'axis axis-y');
    this.svg.append('line').attr('class', 'diagonal');
    this.svg.append('g').attr('class', 'dots');
    this.svg.append('text').attr('class', 'axis-label axis-label-x').attr('text-anchor', 'middle');
    this.svg.append('text').attr('class', 'axis-label axis-label-y').attr('text-anchor', 'middle');
  }

  render(width: number, truth: number[], predicted: number[], target: string): void {
    width = Math.max(200, Math.floor(width));
    const side = Math.min(width - MARGIN.left - MARGIN.right, 420);
    const height = MARGIN.top + side + MARGIN.bottom;
    // One domain for both axes, so the diagonal is the 45° line.
    const [lo, hi] = d3.extent([...truth, ...predicted]) as [number, number];
    const pad = (hi - lo || 1) * 0.05;
    const scale = (range: [number, number]) => d3.scaleLinear().domain([lo - pad, hi + pad]).range(range).nice();
    const x = scale([0, side]);
    const y = scale([side, 0]);
    const svg = this.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    const at = `translate(${MARGIN.left},${MARGIN.top})`;
    svg.select<SVGGElement>('.axis-x').attr('transform', `translate(${MARGIN.left},${MARGIN.top + side})`).call(d3.axisBottom(x).ticks(5));
    svg.select<SVGGElement>('.axis-y').attr('transform', at).call(d3.axisLeft(y).ticks(5));
    const [d0, d1] = x.domain();
    svg.select('.diagonal').attr('transform', at).attr('x1', x(d0)).attr('y1', y(d0)).attr('x2', x(d1)).attr('y2', y(d1));
    svg.select('.dots').attr('transform', at).selectAll<SVGCircleElement, readonly [number, number]>('circle')
      .data(truth.map((t, i) => [t, predicted[i]] as const))
      .join((enter) => enter.append('circle').call((c) => c.append('title')))
      .attr('r', 2.5).attr('cx', (d) => x(d[0])).attr('cy', (d) => y(d[1]))
      .select('title').text((d) => `true ${d[0].toPrecision(4)}, predicted ${d[1].toPrecision(4)}`);
    svg.select('.axis-label-x').attr('x', MARGIN.left + side / 2).attr('y', height - 4).text(`true ${target}`);
    svg.select('.axis-label-y').attr('transform', `translate(12,${MARGIN.top + side / 2}) rotate(-90)`).text(`predicted ${target}`);
  }
}
