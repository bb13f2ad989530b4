// One TensorView drawn for the step-through: its figures, then the numbers (a few as text, up to 512
// as a strip of cells), feature maps as small images, a big matrix's corner, or a histogram. Signed
// values (gradients, weights) use two theme colours either side of the background; zero is the background.
import * as d3 from 'd3';
import type { TensorView } from '../../src/protocol/traceMessages';
import { formatFigure } from '../format';

const CELL = 6;
const MAP_SCALE = 3;

interface Palette { negative: d3.RGBColor; positive: d3.RGBColor; background: d3.RGBColor }

function palette(el: Element): Palette {
  const cs = getComputedStyle(el);
  const color = (name: string, fallback: string) => d3.rgb(cs.getPropertyValue(name).trim() || fallback);
  return { negative: color('--ml-series-1', '#3794ff'), positive: color('--ml-series-5', '#f14c4c'), background: color('--vscode-editor-background', '#1e1e1e') };
}

/** An RGB colour for v in [−scale, scale]. */
function colorOf(p: Palette, v: number, scale: number): [number, number, number] {
  const t = scale > 0 ? Math.max(-1, Math.min(1, v / scale)) : 0;
  const to = t < 0 ? p.negative : p.positive;
  const a = Math.abs(t);
  return [p.background.r + (to.r - p.background.r) * a, p.background.g + (to.g - p.background.g) * a, p.background.b + (to.b - p.background.b) * a];
}

function heatCanvas(values: number[], width: number, height: number, scale: number, p: Palette, pixel: number, className: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = className;
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${width * pixel}px`;
  canvas.style.height = `${height * pixel}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const image = ctx.createImageData(width, height);
  values.forEach((v, i) => {
    const [r, g, b] = colorOf(p, v, scale);
    image.data.set([r, g, b, 255], i * 4);
  });
  ctx.putImageData(image, 0, 0);
  return canvas;
}

const scaleOf = (view: TensorView) => Math.max(Math.abs(view.min), Math.abs(view.max));

/** Appends one tensor's drawing under `label` (e.g. "output a", "dL/dW, this sample"). */
export function drawTensor(parent: HTMLElement, label: string, view: TensorView, mask?: boolean): HTMLElement {
  const box = document.createElement('div');
  box.className = 'trace-tensor';
  const head = document.createElement('div');
  head.className = 'trace-tensor-head';
  head.textContent = `${label} [${view.shape.join('×')}]  mean ${formatFigure(view.mean)}  std ${formatFigure(view.std)}  min ${formatFigure(view.min)}  max ${formatFigure(view.max)}  ‖·‖ ${formatFigure(view.l2)}` +
    (view.nonFinite ? `  ${view.nonFinite} not finite` : '');
  box.append(head);
  const p = palette(parent);
  const scale = scaleOf(view);
  if (view.maps) {
    const row = document.createElement('div');
    row.className = 'trace-maps';
    const pixel = Math.max(1, Math.min(MAP_SCALE, Math.floor(84 / view.maps.width)));
    for (const map of view.maps.data) row.append(heatCanvas(map, view.maps.width, view.maps.height, scale, p, pixel, 'trace-map'));
    if (view.maps.channels > view.maps.data.length) row.append(Object.assign(document.createElement('span'), { className: 'note', textContent: `first ${view.maps.data.length} of ${view.maps.channels} channels` }));
    box.append(row);
  } else if (view.values && view.values.length <= 16) {
    const row = document.createElement('div');
    row.className = 'trace-numbers';
    for (const v of view.values) {
      const cell = document.createElement('span');
      cell.className = 'trace-number';
      const [r, g, b] = colorOf(p, v, scale);
      cell.style.boxShadow = `inset 0 -3px 0 rgb(${r},${g},${b})`;
      cell.textContent = formatFigure(v);
      row.append(cell);
    }
    box.append(row);
  } else if (view.values) {
    const perRow = 64;
    const rows = Math.ceil(view.values.length / perRow);
    const padded = [...view.values, ...new Array(rows * perRow - view.values.length).fill(0)];
    box.append(heatCanvas(padded, perRow, rows, scale, p, CELL, 'trace-strip'));
  } else if (view.corner) {
    box.append(heatCanvas(view.corner.values, view.corner.cols, view.corner.rows, scale, p, CELL, 'trace-corner'));
    box.append(Object.assign(document.createElement('span'), { className: 'note', textContent: ` top-left ${view.corner.rows}×${view.corner.cols}` }));
  }
  if (mask && view.values && view.values.length > 16) {
    const bits = view.values.map((v) => (v > 0 ? 1 : -1));
    const perRow = 64;
    const rows = Math.ceil(bits.length / perRow);
    box.append(heatCanvas([...bits, ...new Array(rows * perRow - bits.length).fill(0)], perRow, rows, 1, p, CELL, 'trace-mask'));
    box.append(Object.assign(document.createElement('span'), { className: 'note', textContent: ' ReLU mask (red: passes, blue: 0)' }));
  }
  if (view.histogram) box.append(histogramSvg(view.histogram));
  parent.append(box);
  return box;
}

function histogramSvg(h: NonNullable<TensorView['histogram']>): SVGSVGElement {
  const width = 240;
  const height = 40;
  const svg = d3.create('svg').attr('class', 'trace-histogram').attr('width', width).attr('height', height + 12);
  const top = Math.max(1, ...h.counts);
  const w = width / h.counts.length;
  svg.selectAll('rect').data(h.counts).join('rect')
    .attr('x', (_, i) => i * w).attr('width', Math.max(1, w - 1))
    .attr('y', (c) => height - (height * c) / top).attr('height', (c) => (height * c) / top);
  svg.append('text').attr('x', 0).attr('y', height + 11).text(formatFigure(h.min));
  svg.append('text').attr('x', width).attr('y', height + 11).attr('text-anchor', 'end').text(formatFigure(h.max));
  return svg.node()!;
}
