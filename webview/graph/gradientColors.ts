// Colour of a layer by log10 of its gradient's L2 norm, from the theme's chart colours, and the
// thresholds that flag vanishing and exploding gradients.
import * as d3 from 'd3';

export const VANISHING = 1e-7;
export const EXPLODING = 1e3;
export const LOG_DOMAIN: [number, number] = [-7, 3];

export type GradientFlag = 'vanishing' | 'exploding' | null;

export function gradientFlag(l2: number | null | undefined, nonFinite = false): GradientFlag {
  if (nonFinite) return 'exploding';
  if (l2 === null || l2 === undefined) return null;
  if (!Number.isFinite(l2) || l2 > EXPLODING) return 'exploding';
  if (l2 < VANISHING) return 'vanishing';
  return null;
}

function cssColour(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** log10(‖g‖) → colour, blue (small) through green and yellow to red (large), from the theme. */
export function gradientScale(): (l2: number) => string {
  const stops = [
    cssColour('--vscode-charts-blue', '#3794ff'),
    cssColour('--vscode-charts-green', '#89d185'),
    cssColour('--vscode-charts-yellow', '#cca700'),
    cssColour('--vscode-charts-orange', '#d18616'),
    cssColour('--vscode-charts-red', '#f14c4c'),
  ];
  const interpolate = d3.interpolateRgbBasis(stops);
  const t = d3.scaleLinear().domain(LOG_DOMAIN).range([0, 1]).clamp(true);
  return (l2: number) => interpolate(t(Math.log10(Math.max(l2, 1e-30))));
}

/** A horizontal legend of the scale with log10 ticks, drawn into `svg`. */
export function drawGradientLegend(svg: d3.Selection<SVGSVGElement, unknown, null, undefined>, width: number): void {
  const scale = gradientScale();
  const height = 10;
  const id = 'ml-gradient-legend';
  svg.attr('width', width).attr('height', 34).attr('role', 'img').attr('aria-label', 'Gradient norm colour scale');
  const defs = svg.selectAll('defs').data([0]).join('defs');
  const grad = defs.selectAll(`linearGradient#${id}`).data([0]).join('linearGradient').attr('id', id);
  const steps = d3.range(0, 1.0001, 0.1);
  grad.selectAll('stop').data(steps).join('stop')
    .attr('offset', (d) => `${d * 100}%`)
    .attr('stop-color', (d) => scale(10 ** (LOG_DOMAIN[0] + d * (LOG_DOMAIN[1] - LOG_DOMAIN[0]))));
  svg.selectAll('rect.legend-bar').data([0]).join('rect').attr('class', 'legend-bar')
    .attr('x', 4).attr('y', 2).attr('width', width - 8).attr('height', height).attr('fill', `url(#${id})`);
  const x = d3.scaleLinear().domain(LOG_DOMAIN).range([4, width - 4]);
  svg.selectAll<SVGGElement, number>('g.legend-axis').data([0]).join('g').attr('class', 'legend-axis').attr('transform', `translate(0,${height + 2})`)
    .call(d3.axisBottom(x).ticks(Math.min(10, Math.floor(width / 40))).tickFormat((d) => `1e${d}`).tickSizeOuter(0));
}
