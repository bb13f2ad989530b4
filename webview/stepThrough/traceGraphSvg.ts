// The traced model drawn above each stage: boxes in the layout's columns, the real edges (a skip edge
// arcs over the boxes it skips), the stage's layer lit. On a backward stage the gradient's edges are
// lit in reverse: it arrives along the edges to the layer's consumers (summed when there are several)
// and leaves along the edges to its sources; the layers the sweep has passed stay marked.
import type { TraceMessage } from '../../src/protocol/traceMessages';
import type { Stage } from './traceStages';
import { traceGraphLayout, type LayoutNode } from './traceGraphLayout';

const BOX_W = 96;
const BOX_H = 30;
const GAP = 34;
const ROW = BOX_H + 44;
/** Room above the first row for skip edges' arcs (when there are any). */
const ARC_ROOM = 34;
const NS = 'http://www.w3.org/2000/svg';

const el = (name: string, attrs: Record<string, string | number>, text?: string): SVGElement => {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
};
const xOf = (n: LayoutNode) => n.column * (BOX_W + GAP);
const yOf = (n: LayoutNode, top: number) => top + n.row * ROW;
const skips = (from: LayoutNode, to: LayoutNode) => to.column - from.column > 1 && from.row === to.row;

/** The edge's path and its midpoint (where the backward arrow sits). */
function edgePath(from: LayoutNode, to: LayoutNode, top: number): { d: string; mid: [number, number] } {
  if (skips(from, to)) {
    // Over the boxes between: out of the source's top, into the target's top.
    const [sx, sy, tx, ty] = [xOf(from) + BOX_W * 0.75, yOf(from, top), xOf(to) + BOX_W * 0.25, yOf(to, top)];
    const lift = Math.min(ARC_ROOM + 8, 20 + 4 * (to.column - from.column));
    return { d: `M${sx},${sy} C${sx},${sy - lift} ${tx},${ty - lift} ${tx},${ty}`, mid: [(sx + tx) / 2, sy - 0.75 * lift] };
  }
  const [sx, sy, tx, ty] = [xOf(from) + BOX_W, yOf(from, top) + BOX_H / 2, xOf(to), yOf(to, top) + BOX_H / 2];
  const c = (sx + tx) / 2;
  return { d: sy === ty ? `M${sx},${sy} L${tx},${ty}` : `M${sx},${sy} C${c},${sy} ${c},${ty} ${tx},${ty}`, mid: [c, (sy + ty) / 2] };
}

export function traceGraphSvg(t: TraceMessage, stage: Stage): SVGSVGElement {
  const layout = traceGraphLayout(t);
  const byName = new Map(layout.nodes.map((n) => [n.name, n]));
  const top = layout.edges.some((e) => byName.has(e.from) && byName.has(e.to) && skips(byName.get(e.from)!, byName.get(e.to)!)) ? ARC_ROOM : 4;
  const svg = el('svg', { class: 'step-chain-svg', width: layout.columns * (BOX_W + GAP) - GAP + 2, height: top + (layout.rows - 1) * ROW + BOX_H + 32 }) as SVGSVGElement;
  const litName = stage.kind === 'loss' ? 'loss' : stage.layer >= 0 ? t.layers[stage.layer].layer : null;
  for (const e of layout.edges) {
    const from = byName.get(e.from);
    const to = byName.get(e.to);
    if (!from || !to) continue;
    const { d, mid } = edgePath(from, to, top);
    const forward = (stage.kind === 'forward' || stage.kind === 'loss') && e.to === litName;
    const backward = stage.kind === 'backward' && (e.from === litName || e.to === litName);
    svg.append(el('path', { d, class: `step-edge${forward ? ' lit-forward' : ''}${backward ? ' lit-backward' : ''}`, 'data-from': e.from, 'data-to': e.to }));
    if (backward) svg.append(el('text', { x: mid[0], y: mid[1] + 4, class: 'step-arrow', 'text-anchor': 'middle' }, '◀'));
  }
  for (const node of layout.nodes) {
    const layer = node.layer >= 0 ? t.layers[node.layer] : null;
    const lit = stage.kind === 'update' ? Boolean(layer?.weights.length) : node.name === litName;
    const swept = stage.kind === 'backward' && node.layer > stage.layer;
    const [x, y] = [xOf(node), yOf(node, top)];
    const box = el('rect', { x, y, width: BOX_W, height: BOX_H, rx: 3, class: `step-box${lit ? ` lit-${stage.kind}` : ''}${swept ? ' swept' : ''}` });
    box.dataset.layer = node.name;
    svg.append(box, el('text', { x: x + BOX_W / 2, y: y + BOX_H / 2 + 4, 'text-anchor': 'middle', class: 'step-box-label' }, node.name.length > 13 ? `${node.name.slice(0, 12)}…` : node.name));
    if (layer) svg.append(el('text', { x: x + BOX_W / 2, y: y + BOX_H + 14, 'text-anchor': 'middle', class: 'step-box-type' }, `${layer.type}${layer.activation ? ` · ${layer.activation}` : ''}`));
    if (lit && stage.kind === 'backward' && layer?.consumers && layer.consumers.length > 1) {
      svg.append(el('text', { x: x + BOX_W / 2, y: y + BOX_H + 28, 'text-anchor': 'middle', class: 'step-sum' }, `Σ of ${layer.consumers.length} paths`));
    }
  }
  return svg;
}
