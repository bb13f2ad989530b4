// The card a graph node shows on hover: its torchinfo row (input and output shapes, params and %,
// kernel, mult-adds, trainable) and, during or after a run, its latest gradient figures with a
// sparkline of its gradient norm. Placed beside the pointer, kept inside the panel.
import * as d3 from 'd3';
import type { RunState } from '../../src/protocol/runState';
import { layerGradientInfo } from '../../src/protocol/runState';
import { formatFigure, formatMs, formatShape, thousands } from '../format';
import { fixed } from '../../src/protocol/summaryNumbers';
import type { VisibleNode } from './visibleGraph';

export class HoverCard {
  private readonly card: HTMLDivElement;

  constructor(private readonly container: HTMLElement) {
    this.card = document.createElement('div');
    this.card.className = 'graph-card';
    this.card.hidden = true;
    this.card.setAttribute('role', 'tooltip');
    container.append(this.card);
  }

  show(v: VisibleNode, state: RunState | null, e: MouseEvent): void {
    const n = v.node;
    const card = this.card;
    card.replaceChildren();
    const add = (tag: string, cls: string, text: string) => {
      const el = document.createElement(tag);
      el.className = cls;
      el.textContent = text;
      card.append(el);
      return el;
    };
    const table = (cls: string) => {
      const dl = document.createElement('dl');
      dl.className = cls;
      const item = (k: string, val: string) => {
        const dt = document.createElement('dt'); dt.textContent = k;
        const dd = document.createElement('dd'); dd.textContent = val; dd.dataset.field = k;
        dl.append(dt, dd);
      };
      return { dl, item };
    };
    add('div', 'card-title', v.kind === 'repeat' ? `${n.type} ×${v.repeat!.count}` : `${n.type} (${n.name})`);
    const row = state?.model?.summary.layers.find((r) => r.name === n.name && r.depth > 0);
    const summary = table('card-table');
    summary.item('Input', n.inputShapes.map(formatShape).join(', ') || '--');
    summary.item('Output', formatShape(n.outputShape));
    summary.item('Params', row ? (row.params === 0 ? '--' : row.recursive ? '(recursive)' : row.trainableParams > 0 ? thousands(row.params) : `(${thousands(row.params)})`) : thousands(n.params));
    if (row) {
      summary.item('Param %', row.recursive ? '(recursive)' : row.params === 0 ? '--' : `${fixed(row.paramPercent, 2)}%`);
      summary.item('Kernel', row.kernelShape ? formatShape(row.kernelShape) : '--');
      summary.item('Mult-adds', row.multAdds > 0 ? thousands(row.multAdds) : '--');
      summary.item('Trainable', row.params === 0 ? '--' : row.trainable === 'partial' ? 'Partial' : row.trainable ? 'True' : 'False');
      if (row.activationBytes !== undefined) summary.item('Activations', `${formatBytes(row.activationBytes)} at batch ${state!.model!.summary.batchSize}`);
      const samples = state!.model!.summary.timedSamples ?? 1;
      if (row.forwardMs !== undefined) summary.item('Fwd time', `≈ ${formatMs(row.forwardMs)} on ${samples} sample${samples === 1 ? '' : 's'} (approx.)`);
      if (row.depthIndex) summary.item('Depth-idx', row.depthIndex);
    }
    for (const [label, value] of Object.entries(n.facts ?? row?.facts ?? {})) summary.item(label, value);
    card.append(summary.dl);
    if (state && v.kind === 'layer' && n.params > 0) {
      const { latest, l2History } = layerGradientInfo(state, n.name);
      if (latest?.frozen) add('div', 'card-note', '❄ frozen: no gradient');
      else if (latest) {
        const gradients = table('card-table card-gradients');
        gradients.item('‖g‖₂', formatFigure(latest.l2));
        gradients.item('mean |g|', formatFigure(latest.meanAbs));
        gradients.item('max |g|', formatFigure(latest.maxAbs));
        gradients.item('‖Δw‖/‖w‖', formatFigure(latest.updateRatio));
        add('div', 'card-subtitle', `Gradient at step ${state.gradients.latest?.step ?? '?'}`);
        card.append(gradients.dl);
        card.append(sparkline(l2History));
      }
    }
    if (n.failed) add('div', 'card-note card-failed', `✗ this call failed: it was given ${n.inputShapes.map(formatShape).join(' and ')}`);
    if (n.callStack?.length) {
      add('div', 'card-subtitle', 'Built by');
      const list = document.createElement('ol');
      list.className = 'card-stack';
      // Innermost call first, as a stack trace reads.
      for (const f of [...n.callStack].reverse()) {
        const li = document.createElement('li');
        li.textContent = `${f.function ?? '(top level)'} · ${baseName(f.file)}:${f.line}`;
        list.append(li);
      }
      card.append(list);
    }
    if (n.source) add('div', 'card-note', `${baseName(n.source.file)}:${n.source.line} — click to open`);
    card.hidden = false;
    card.dataset.layer = n.name;
    this.move(e);
  }

  move(e: MouseEvent): void {
    const card = this.card;
    if (card.hidden) return;
    const bounds = this.container.getBoundingClientRect();
    const cw = card.offsetWidth;
    const ch = card.offsetHeight;
    let x = e.clientX - bounds.left + 16;
    let y = e.clientY - bounds.top + 12;
    if (x + cw > bounds.width - 4) x = Math.max(4, e.clientX - bounds.left - cw - 16);
    if (y + ch > bounds.height - 4) y = Math.max(4, bounds.height - ch - 4);
    card.style.left = `${x}px`;
    card.style.top = `${y}px`;
  }

  hide(): void {
    this.card.hidden = true;
  }
}

const baseName = (file: string) => file.split(/[\\/]/).pop() ?? file;
const formatBytes = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);

/** log10 of the gradient norm over the sampled steps (gaps where it was zero or non-finite). */
function sparkline(values: (number | null)[]): SVGSVGElement {
  const w = 180;
  const h = 32;
  const s = d3.create('svg').attr('class', 'card-sparkline').attr('width', w).attr('height', h).attr('aria-label', 'Gradient norm history');
  const finite = values.map((v, i) => ({ i, v })).filter((p): p is { i: number; v: number } => p.v !== null && p.v > 0);
  if (finite.length >= 2) {
    const x = d3.scaleLinear().domain([0, values.length - 1]).range([2, w - 2]);
    const ext = d3.extent(finite, (p) => Math.log10(p.v)) as [number, number];
    const y = d3.scaleLinear().domain(ext[0] === ext[1] ? [ext[0] - 1, ext[1] + 1] : ext).range([h - 3, 3]);
    s.append('path').attr('d', d3.line<{ i: number; v: number }>().x((p) => x(p.i)).y((p) => y(Math.log10(p.v)))(finite) ?? '');
  }
  return s.node()!;
}
