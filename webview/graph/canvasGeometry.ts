// The graph canvas's geometry, in layout coordinates: where nodes and edges are, what lies in a region
// of the view, which node is under a point or next to another, and how to frame the graph in a view.
// Pure: no DOM, testable on its own (the canvas draws and listens; this decides).
import type { LayoutDirection, PlacedGraph } from './graphLayout';
import { DETAIL_MIN_SCALE } from './levelOfDetail';
import type { VisibleEdge, VisibleGraph, VisibleNode } from './visibleGraph';

export interface Point { x: number; y: number }
export interface Size { width: number; height: number }
/** A rectangle by its corners; unbounded with infinite ones. */
export interface Region { x0: number; y0: number; x1: number; y1: number }
/** A zoom transform as d3 keeps it: screen = layout × k + (x, y). */
export interface Transform { x: number; y: number; k: number }

/** What the canvas shows: the visible graph, where the layout put it, and which way it flows. */
export interface CanvasGraph {
  visible: VisibleGraph;
  placed: PlacedGraph;
  direction: LayoutDirection;
}

export interface NodeDatum { v: VisibleNode; x: number; y: number; width: number; height: number }
export interface EdgeDatum { e: VisibleEdge; points: Point[] }

/** A move of the selection as the arrow keys point on screen. */
export type ScreenDirection = 'up' | 'down' | 'left' | 'right';

export const EVERYWHERE: Region = { x0: -Infinity, y0: -Infinity, x1: Infinity, y1: Infinity };

export function overlaps(x: number, y: number, width: number, height: number, r: Region): boolean {
  return x < r.x1 && x + width > r.x0 && y < r.y1 && y + height > r.y0;
}

export function contains(outer: Region, inner: Region): boolean {
  return inner.x0 >= outer.x0 && inner.y0 >= outer.y0 && inner.x1 <= outer.x1 && inner.y1 <= outer.y1;
}

/** The layout region a view of `size` shows under `t`, grown by `margin` views on every side. */
export function viewRegion(t: Transform, size: Size, margin = 0): Region {
  const invert = (sx: number, sy: number): Point => ({ x: (sx - t.x) / t.k, y: (sy - t.y) / t.k });
  const a = invert(-margin * size.width, -margin * size.height);
  const b = invert((1 + margin) * size.width, (1 + margin) * size.height);
  return { x0: a.x, y0: a.y, x1: b.x, y1: b.y };
}

export function placedNodes(g: CanvasGraph): NodeDatum[] {
  return g.visible.nodes.flatMap((v) => {
    const p = g.placed.nodes.get(v.id);
    return p ? [{ v, x: p.x, y: p.y, width: p.width, height: p.height }] : [];
  });
}

/** Every edge's polyline: the layout's routing, or for edges that cross a group's border a straight
 *  run from the source's exit to the target's entry (the drawing curves it). */
export function edgeRoutes(g: CanvasGraph): EdgeDatum[] {
  const vertical = g.direction === 'DOWN';
  const out: EdgeDatum[] = [];
  for (const e of g.visible.edges) {
    const routed = g.placed.edges.get(e.id);
    if (routed && routed.length >= 2) { out.push({ e, points: routed }); continue; }
    const a = g.placed.nodes.get(e.from);
    const b = g.placed.nodes.get(e.to);
    if (!a || !b) continue;
    const start = vertical ? { x: a.x + a.width / 2, y: a.y + a.height } : { x: a.x + a.width, y: a.y + a.height / 2 };
    const end = vertical ? { x: b.x + b.width / 2, y: b.y } : { x: b.x, y: b.y + b.height / 2 };
    out.push({ e, points: [start, end] });
  }
  return out;
}

export function edgeOverlaps(d: EdgeDatum, r: Region): boolean {
  let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
  for (const p of d.points) { x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y); }
  return overlaps(x0, y0, x1 - x0, y1 - y0, r);
}

/**
 * The node under a layout point: a box before the groups around it, the innermost group otherwise.
 * Within `slop` of a box counts as on it (the nearest such box): far out, a box and the gap to the
 * next are a pixel or two on screen, and its outline is drawn a pixel wide whatever the zoom.
 */
export function nodeAt(g: CanvasGraph, p: Point, slop = 0): VisibleNode | null {
  let group: { v: VisibleNode; area: number } | null = null;
  let near: { v: VisibleNode; distance: number } | null = null;
  for (const v of g.visible.nodes) {
    const b = g.placed.nodes.get(v.id);
    if (!b) continue;
    const dx = Math.max(b.x - p.x, 0, p.x - b.x - b.width);
    const dy = Math.max(b.y - p.y, 0, p.y - b.y - b.height);
    if (v.kind !== 'group') {
      if (dx === 0 && dy === 0) return v;
      const distance = Math.hypot(dx, dy);
      if (distance <= slop && (!near || distance < near.distance)) near = { v, distance };
    } else if (dx === 0 && dy === 0) {
      const area = b.width * b.height;
      if (!group || area < group.area) group = { v, area };
    }
  }
  return near?.v ?? group?.v ?? null;
}

/**
 * The node the selection moves to: along the flow, the first successor or predecessor; across it,
 * the nearest box of the same rank on that side.
 */
export function neighbour(g: CanvasGraph, id: string, towards: ScreenDirection): string | null {
  const vertical = g.direction === 'DOWN';
  const forward: ScreenDirection = vertical ? 'down' : 'right';
  const backward: ScreenDirection = vertical ? 'up' : 'left';
  if (towards === forward) return g.visible.edges.find((e) => e.from === id)?.to ?? null;
  if (towards === backward) return g.visible.edges.find((e) => e.to === id)?.from ?? null;
  const here = g.placed.nodes.get(id);
  if (!here) return null;
  const sign = towards === 'right' || towards === 'down' ? 1 : -1;
  const along = (p: Point) => (vertical ? p.x : p.y);
  let best: { id: string; distance: number } | null = null;
  for (const v of g.visible.nodes) {
    const p = g.placed.nodes.get(v.id);
    if (!p || v.kind === 'group' || v.id === id) continue;
    const sameRank = vertical ? Math.abs(p.y - here.y) < here.height : Math.abs(p.x - here.x) < here.width;
    const offset = (along(p) - along(here)) * sign;
    if (sameRank && offset > 0 && (!best || offset < best.distance)) best = { id: v.id, distance: offset };
  }
  return best?.id ?? null;
}

/** The zoom that shows all of the graph (never above 1.5: a small graph is not blown up). */
export function fitScale(graph: Size, view: Size): number {
  return Math.min(1.5, 0.95 * Math.min(view.width / Math.max(1, graph.width), view.height / Math.max(1, graph.height)));
}

export function fitTransform(graph: Size, view: Size): Transform {
  const k = fitScale(graph, view);
  return { x: (view.width - graph.width * k) / 2, y: Math.max(8, (view.height - graph.height * k) / 2), k };
}

/**
 * The first view of a graph: all of it when that is readable; otherwise (a ResNet, a 2,000-layer
 * chain) its input end at a readable zoom, as Netron opens a model, with Fit one key away.
 */
export function initialTransform(g: CanvasGraph, view: Size): { transform: Transform; whole: boolean } {
  const { placed } = g;
  if (fitScale(placed, view) >= DETAIL_MIN_SCALE) return { transform: fitTransform(placed, view), whole: true };
  const down = g.direction === 'DOWN';
  const k = Math.max(DETAIL_MIN_SCALE, Math.min(1, 0.95 * (down ? view.width / placed.width : view.height / placed.height)));
  const input = g.visible.nodes.find((n) => n.kind === 'input');
  const start = input ? placed.nodes.get(input.id) : undefined;
  // Across the flow: centre the graph if it fits, else the input node. Along it: the start at the edge.
  const across = (extent: number, size: number, at: number | undefined) => (extent * k <= size || at === undefined ? (size - extent * k) / 2 : size / 2 - at * k);
  const transform = down
    ? { x: across(placed.width, view.width, start && start.x + start.width / 2), y: 12, k }
    : { x: 12, y: across(placed.height, view.height, start && start.y + start.height / 2), k };
  return { transform, whole: false };
}
