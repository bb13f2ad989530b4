// The SVG the graph canvas puts on screen: D3 joins for groups, edges and node boxes (keyed by id, so a
// relayout moves what stays), the texts of a node drawn separately (only when readable), and the
// gradient colours, flags and backprop sweep painted onto the boxes. No state of its own: the canvas
// decides what to draw and when.
import * as d3 from 'd3';
import type { GraphNode } from '../../src/protocol/modelInfo';
import { formatShape, thousands } from '../format';
import type { EdgeDatum, NodeDatum, Point } from './canvasGeometry';
import { gradientFlag } from './gradientColors';
import type { LayoutDirection } from './graphLayout';
import type { NodeHeat } from './nodeHeat';
import type { VisibleNode } from './visibleGraph';

type Layer = d3.Selection<SVGGElement, unknown, null, undefined>;
export type NodeSelection = d3.Selection<SVGGElement, NodeDatum, SVGGElement | null, unknown>;

const SWEEP_MS = 450;
const MAX_SWEEP_NODES = 300;

export interface SceneLayers { groups: Layer; edges: Layer; groupTitles: Layer; nodes: Layer; overview: Layer }

/**
 * Groups under edges under the groups' titles (an edge into a group crosses its title line) under
 * boxes under the overview's names, created once per viewport.
 */
export function sceneLayers(viewport: Layer): SceneLayers {
  const layer = (name: string) => viewport.selectAll<SVGGElement, number>(`g.${name}`).data([0]).join('g').attr('class', name) as unknown as Layer;
  return {
    groups: layer('layer-groups'), edges: layer('layer-edges'), groupTitles: layer('layer-group-titles'),
    nodes: layer('layer-nodes'), overview: layer('layer-overview'),
  };
}

/** Screen size of the overview's names: readable whatever the zoom. */
export const OVERVIEW_FONT_PX = 13;

/** What a top-level group or collapsed block says at overview zoom: its name and its totals. */
export function overviewText(v: VisibleNode): string {
  const n = v.node;
  const count = v.kind === 'repeat' ? ` ×${v.repeat!.count}` : '';
  return `${n.name}${count} · ${n.type} · ${thousands(n.params)} params`;
}

/**
 * Semantic zoom: at overview zoom the top-level groups are named over their boxes at a constant
 * screen size (the leaves' own texts would be a pixel high), a name that would overlap one above it
 * left out. `k` is the zoom; `items` the top-level groups, folds and collapsed blocks in view.
 */
/** Screen pixels of the background-coloured outline around an overview name. */
const OVERVIEW_HALO_PX = 5;

export function drawOverview(layer: Layer, items: NodeDatum[], k: number, direction: LayoutDirection): void {
  const size = OVERVIEW_FONT_PX / k;
  const placed: { a0: number; a1: number }[] = [];
  const shown = [...items].sort((a, b) => (direction === 'DOWN' ? a.y - b.y : a.x - b.x)).filter((d) => {
    // Along the flow, names take a line each: skip one that would sit on an earlier one.
    const centre = direction === 'DOWN' ? d.y + d.height / 2 : d.x + d.width / 2;
    const half = direction === 'DOWN' ? size * 0.75 : (overviewText(d.v).length * size * 0.3);
    const span = { a0: centre - half, a1: centre + half };
    if (placed.some((p) => span.a0 < p.a1 && span.a1 > p.a0)) return false;
    placed.push(span);
    return true;
  });
  const texts = layer.selectAll<SVGTextElement, NodeDatum>('text.overview-name').data(shown, (d) => d.v.id)
    .join('text')
    .attr('class', 'overview-name')
    .attr('data-id', (d) => d.v.id)
    .attr('text-anchor', 'middle')
    .attr('x', (d) => d.x + d.width / 2)
    .attr('y', (d) => d.y + d.height / 2 + size * 0.35)
    .attr('font-size', size)
    // The halo that keeps the name readable over edges: sized in layout units, as Chromium ignores non-scaling strokes on text.
    .style('stroke-width', `${OVERVIEW_HALO_PX / k}px`)
    .text((d) => overviewText(d.v));
  // A plate behind each name: the halo alone leaves the lines between words showing through.
  const pad = OVERVIEW_HALO_PX / k;
  const boxes = new Map<string, DOMRect>();
  texts.each(function (d) { boxes.set(d.v.id, this.getBBox()); });
  layer.selectAll<SVGRectElement, NodeDatum>('rect.overview-plate').data(shown, (d) => d.v.id)
    .join('rect')
    .attr('class', 'overview-plate')
    .attr('x', (d) => boxes.get(d.v.id)!.x - pad)
    .attr('y', (d) => boxes.get(d.v.id)!.y - pad / 2)
    .attr('width', (d) => boxes.get(d.v.id)!.width + 2 * pad)
    .attr('height', (d) => boxes.get(d.v.id)!.height + pad)
    .attr('rx', pad)
    .lower();
}

export const isFrozen = (n: GraphNode): boolean => n.params > 0 && !n.trainable;
const isIo = (v: VisibleNode): boolean => v.kind === 'input' || v.kind === 'output';
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function groupTitle(n: GraphNode): string {
  return `${n.name} (${n.type}) · ${thousands(n.params)} params${isFrozen(n) ? ' · ❄ frozen' : ''}`;
}

export function drawGroups(layer: Layer, groups: NodeDatum[]): void {
  layer.selectAll<SVGGElement, NodeDatum>('g.group').data(groups, (d) => d.v.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'group');
      g.append('rect').attr('class', 'group-box').attr('rx', 6);
      g.append('text').attr('class', 'group-toggle').attr('y', 18).text('−')
        .append('title').text('Collapse');
      return g;
    })
    .attr('data-id', (d) => d.v.id)
    .attr('data-layer', (d) => d.v.node.name)
    .classed('frozen', (d) => isFrozen(d.v.node))
    .attr('transform', (d) => `translate(${d.x},${d.y})`)
    .call((g) => g.select('rect.group-box').attr('width', (d) => d.width).attr('height', (d) => d.height))
    .call((g) => g.select('text.group-toggle').attr('x', (d) => d.width - 18));
}

/** Screen-independent width of `text` in `font` (a canvas measures it without a DOM layout), once per text and font. */
const measure = (() => {
  let context: CanvasRenderingContext2D | null = null;
  const widths = new Map<string, number>();
  return (text: string, font: string): number => {
    const key = `${font}\n${text}`;
    let width = widths.get(key);
    if (width === undefined) {
      context ??= document.createElement('canvas').getContext('2d');
      if (!context) return text.length * 7;
      context.font = font;
      width = context.measureText(text).width;
      widths.set(key, width);
    }
    return width;
  };
})();

/**
 * The groups' titles, in their own layer over the edges (an edge into a group crosses its title line),
 * each on a plate of background as wide as its text: measured on a canvas, as an SVG filter or getBBox
 * per title slowed a large graph's first render.
 */
export function drawGroupTitles(layer: Layer, groups: NodeDatum[]): void {
  const family = getComputedStyle(layer.node() as Element).fontFamily;
  const rows = layer.selectAll<SVGGElement, NodeDatum>('g.group-title-row').data(groups, (d) => d.v.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'group-title-row');
      g.append('rect').attr('class', 'group-title-plate').attr('rx', 3);
      g.append('text').attr('class', 'group-title').attr('x', 10).attr('y', 18);
      return g;
    })
    .attr('data-id', (d) => d.v.id)
    .attr('transform', (d) => `translate(${d.x},${d.y})`);
  rows.select('text.group-title').text((d) => groupTitle(d.v.node));
  rows.select('rect.group-title-plate')
    .attr('x', 7).attr('y', 7).attr('height', 15)
    .attr('width', (d) => Math.max(0, Math.min(measure(groupTitle(d.v.node), `600 11px ${family}`) + 6, d.width - 30)));
}

function edgePath(d: EdgeDatum, direction: LayoutDirection): string {
  const pts = d.points;
  if (pts.length === 2) {
    const [a, b] = pts;
    const vertical = direction === 'DOWN';
    const m = vertical ? (a.y + b.y) / 2 : (a.x + b.x) / 2;
    return vertical ? `M${a.x},${a.y} C${a.x},${m} ${b.x},${m} ${b.x},${b.y}` : `M${a.x},${a.y} C${m},${a.y} ${m},${b.y} ${b.x},${b.y}`;
  }
  return d3.line<Point>().x((p) => p.x).y((p) => p.y).curve(d3.curveBasis)(pts) ?? '';
}

/** Wider lines for bigger tensors (log of the element count). */
const strokeWidth = (d: EdgeDatum): number => 1 + Math.min(3, Math.log10(Math.max(1, d.e.shape.reduce<number>((n, s) => n * (s ?? 1), 1))) / 2);

/**
 * Edges with their shape labels hidden: labelEdges fills and shows the ones in view. The label of an
 * edge that enters or leaves a group (`crossesGroup`) may sit on the group's border: it gets a patch
 * of background (an SVG filter, kept off the other labels, where it would only slow the drawing).
 */
export function drawEdges(layer: Layer, edges: EdgeDatum[], direction: LayoutDirection, crossesGroup: (d: EdgeDatum) => boolean = () => false): void {
  layer.selectAll<SVGGElement, EdgeDatum>('g.edge').data(edges, (d) => d.e.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'edge');
      g.append('path').attr('class', 'edge-path');
      g.append('text').attr('class', 'edge-label').attr('display', 'none');
      return g;
    })
    .attr('data-from', (d) => d.e.from).attr('data-to', (d) => d.e.to).attr('data-shape', (d) => JSON.stringify(d.e.shape))
    .call((g) => g.select('path').attr('d', (d) => edgePath(d, direction)).attr('stroke-width', strokeWidth))
    .call((g) => g.select('text.edge-label')
      .attr('display', 'none')
      .classed('crosses-group', crossesGroup)
      .attr('x', (d) => d.points[Math.floor(d.points.length / 2)].x * 0.5 + d.points[Math.ceil((d.points.length - 1) / 2)].x * 0.5 + 6)
      .attr('y', (d) => (d.points[0].y + d.points[d.points.length - 1].y) / 2));
}

/** Node boxes without their texts (see drawNodeLabels): fewer elements make a faster first render. */
export function drawNodes(layer: Layer, boxes: NodeDatum[]): NodeSelection {
  return layer.selectAll<SVGGElement, NodeDatum>('g.node').data(boxes, (d) => d.v.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'node').attr('tabindex', -1);
      // The rest (the stack behind a folded node, the gradient colour, the flag, the sweep) is added
      // when needed.
      g.append('rect').attr('class', 'node-box').attr('rx', 5);
      g.append('g').attr('class', 'node-label').attr('display', 'none');
      return g;
    })
    .attr('data-id', (d) => d.v.id)
    .attr('data-kind', (d) => d.v.kind)
    .attr('data-layer', (d) => d.v.node.name)
    .attr('data-type', (d) => d.v.node.type)
    .classed('frozen', (d) => isFrozen(d.v.node))
    .classed('failed', (d) => d.v.node.failed === true)
    .classed('io', (d) => isIo(d.v))
    .attr('transform', (d) => `translate(${d.x},${d.y})`)
    .each(function (d) { shapeNode(d3.select(this), d); });
}

function shapeNode(g: d3.Selection<SVGGElement, NodeDatum, null, undefined>, d: NodeDatum): void {
  const { v, width, height } = d;
  const stacked = v.kind === 'repeat' || v.kind === 'collapsed';
  if (stacked && g.select('rect.node-stack').empty()) g.insert('rect', ':first-child').attr('class', 'node-stack').attr('rx', 5);
  if (!stacked) g.select('rect.node-stack').remove();
  g.select('rect.node-stack').attr('x', 4).attr('y', 4).attr('width', width).attr('height', height);
  g.selectAll('rect.node-box, rect.node-heat, rect.node-sweep').attr('width', width).attr('height', height).attr('rx', isIo(v) ? height / 2 : 5);
  g.select('rect.node-strip').attr('height', height - 2);
  g.select('g.node-label').attr('display', 'none');
}

/** The texts of a node: its title, its shapes and its parameter count. */
export function drawNodeLabels(node: SVGGElement, d: NodeDatum): void {
  const { v, width, height } = d;
  const n = v.node;
  const io = isIo(v);
  const label = d3.select(node).select<SVGGElement>('g.node-label');
  label.selectAll('text').remove();
  const title = io ? `${v.kind}: ${formatShape(n.outputShape)}`
    : v.kind === 'repeat' ? `${n.type} ×${v.repeat!.count}`
      : v.kind === 'collapsed' ? `▸ ${n.name} (${n.type})` : `${n.failed ? '✗ ' : ''}${n.type} · ${n.name}`;
  label.append('text').attr('class', 'node-title').attr('x', io ? width / 2 : 12).attr('y', io ? height / 2 + 4 : 17)
    .attr('text-anchor', io ? 'middle' : 'start').text(clip(title, 48));
  if (io) return;
  // A failed call has no output: what it was given is the point (the shapes that did not fit).
  const shapes = n.failed ? `${n.inputShapes.map(formatShape).join(' + ')} → ✗`
    : `${n.inputShapes.length > 1 ? `${n.inputShapes.length} inputs` : formatShape(n.inputShapes[0] ?? [])} → ${formatShape(n.outputShape)}`;
  label.append('text').attr('class', 'node-shapes').attr('x', 12).attr('y', 35).text(clip(shapes, 52));
  const params = v.kind === 'repeat' ? `${thousands(n.params)} params each · click to unfold`
    : v.kind === 'collapsed' ? `${v.layers.length} layers · ${thousands(n.params)} params`
      : n.failed ? 'shapes do not fit'
      : n.params > 0 ? `${thousands(n.params)} params${isFrozen(n) ? ' · ❄ frozen' : ''}` : 'no params';
  label.append('text').attr('class', 'node-params').attr('x', 12).attr('y', 52).text(clip(params, 56));
}

export function drawEdgeLabel(edge: SVGGElement, d: EdgeDatum): void {
  edge.querySelector('text.edge-label')!.textContent = formatShape(d.e.shape);
}

/** Gradient colour (a tint and a strip), data-l2 and data-flag, and a tab over flagged boxes. */
export function paintHeat(nodes: NodeSelection, heat: ReadonlyMap<string, NodeHeat>, colour: (l2: number) => string): void {
  nodes.each(function (d) {
    const g = d3.select(this);
    const h = heat.get(d.v.id);
    const l2 = h?.l2 ?? null;
    const flag = gradientFlag(l2, h?.nonFinite ?? false, h?.dead ?? null);
    const fill = l2 !== null ? colour(l2) : null;
    g.attr('data-l2', l2 === null ? null : String(l2)).attr('data-flag', flag);
    g.classed('has-gradient', fill !== null).classed('vanishing', flag === 'vanishing').classed('exploding', flag === 'exploding')
      .classed('dead', flag === 'dead');
    if (fill === null) g.selectAll('rect.node-heat, rect.node-strip').remove();
    else {
      if (g.select('rect.node-heat').empty()) {
        const io = isIo(d.v);
        g.insert('rect', 'g.node-label').attr('class', 'node-heat').attr('width', d.width).attr('height', d.height).attr('rx', io ? d.height / 2 : 5);
        if (!io) g.insert('rect', 'g.node-label').attr('class', 'node-strip').attr('width', 5).attr('height', d.height - 2).attr('x', 1).attr('y', 1);
      }
      g.selectAll('rect.node-heat, rect.node-strip').style('fill', fill);
    }
    // A tab above the box's top-right corner, so it never covers the title (only flagged nodes have one).
    if (!flag) g.select('text.node-flag').remove();
    else {
      const tab = g.select<SVGTextElement>('text.node-flag').empty() ? g.append('text').attr('class', 'node-flag') : g.select<SVGTextElement>('text.node-flag');
      const text = flag === 'dead' ? `⚠ ${Math.round(100 * (h?.dead ?? 0))}% dead ReLU` : flag === 'vanishing' ? '⚠ vanishing' : '⚠ exploding';
      tab.attr('x', d.width - 4).attr('y', -4).attr('text-anchor', 'end').text(text);
    }
  });
}

/** Backprop runs output → input: flash the boxes by `rank` (backpropRanks: 0 at the outputs, equal ranks together). */
export function sweep(nodes: NodeSelection, rank: ReadonlyMap<string, number>): void {
  if (rank.size > MAX_SWEEP_NODES || matchMedia('(prefers-reduced-motion: reduce)').matches) return;
  const step = SWEEP_MS / Math.max(1, Math.max(0, ...rank.values()) + 1);
  nodes.each(function (d) {
    if (!this.querySelector('rect.node-sweep')) {
      d3.select(this).append('rect').attr('class', 'node-sweep').attr('width', d.width).attr('height', d.height).attr('rx', isIo(d.v) ? d.height / 2 : 5);
    }
  });
  nodes.select<SVGRectElement>('rect.node-sweep')
    .interrupt()
    .style('opacity', 0)
    .transition().delay((d) => (rank.get(d.v.id) ?? 0) * step).duration(120).style('opacity', 0.55)
    .transition().duration(260).style('opacity', 0);
}
