// Lays out a visible graph container by container (like TensorBoard's graph view): each expanded
// group is laid out on its own, bottom-up, and then sits as one box in its parent's layout. Results
// are cached per container and content, so expanding or collapsing a group re-lays out only that
// group and its ancestors. The layered layout itself runs in a Web Worker.
import { thousands } from '../format';
import ELK from 'elkjs/lib/elk-api.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { VisibleGraph } from './visibleGraph';
import { contractChains } from './chainContraction';

/** elkjs's own worker script (elk-worker.min.js), embedded by the build: a webview may only start
 *  workers from blob URLs. */
declare const LAYOUT_WORKER_SOURCE: string;

const PADDING = 12;
/** Between layers, in ELK and in the runs chainContraction.ts stacks (declared before its first use:
 *  the bundle turns top-level consts into vars, so a later declaration reads as undefined). */
const LAYER_SPACING = 36;

/** Options chosen for speed on ResNet-sized graphs (several times faster than ELK's defaults, same look). */
const ELK_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.spacing.nodeNodeBetweenLayers': String(LAYER_SPACING),
  'elk.spacing.nodeNode': '24',
  'elk.padding': `[top=${PADDING},left=${PADDING},bottom=${PADDING},right=${PADDING}]`,
};

const BIG_GRAPH = 400;
const BIG_OPTIONS = {
  'elk.layered.layering.strategy': 'LONGEST_PATH',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
  'elk.layered.crossingMinimization.strategy': 'NONE',
  'elk.layered.compaction.postCompaction.strategy': 'NONE',
};

interface LayoutRequestGraph {
  key: string;
  direction: LayoutDirection;
  children: { id: string; width: number; height: number }[];
  edges: { id: string; source: string; target: string }[];
}

interface LayoutResult {
  key: string;
  width: number;
  height: number;
  positions: Record<string, { x: number; y: number }>;
  edges: Record<string, { x: number; y: number }[]>;
}

/** A container's layout by the position of its children and edges, not their ids: identical blocks
 *  (ResNet's, or a stage's unfolded ×N) share one. */
interface ShapeLayout {
  width: number;
  height: number;
  positions: { x: number; y: number }[];
  edges: ({ x: number; y: number }[] | undefined)[];
}

/** Which way the data flows on screen: top to bottom, or left to right. */
export type LayoutDirection = 'DOWN' | 'RIGHT';

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedGraph {
  nodes: Map<string, PlacedNode>;
  /** Edge id → polyline in absolute coordinates. */
  edges: Map<string, { x: number; y: number }[]>;
  width: number;
  height: number;
  /** How many containers had to be laid out (the rest came from the cache). */
  laidOut: number;
  ms: number;
}

const GROUP_HEADER = 28;
const GROUP_PAD = 8;

export class GraphLayout {
  private elk: InstanceType<typeof ELK> | null = null;
  /** By shape (see shapeKey); a promise, so identical containers of one pass share one layout. */
  private readonly cache = new Map<string, Promise<ShapeLayout>>();

  private engine(): InstanceType<typeof ELK> {
    if (!this.elk) {
      const url = URL.createObjectURL(new Blob([LAYOUT_WORKER_SOURCE], { type: 'text/javascript' }));
      this.elk = new ELK({ workerFactory: () => new Worker(url) as never });
    }
    return this.elk;
  }

  private async layoutOne(g: LayoutRequestGraph): Promise<LayoutResult> {
    // Straight runs become one box each (see chainContraction.ts); ELK lays out what is left.
    const contraction = contractChains(g, LAYER_SPACING);
    const c = contraction.graph;
    // One box and nothing else (a Sequential model is one run): no layout engine needed.
    if (c.children.length === 1 && c.edges.length === 0) {
      const only = c.children[0];
      const out = { width: only.width + 2 * PADDING, height: only.height + 2 * PADDING, positions: { [only.id]: { x: PADDING, y: PADDING } }, edges: {} };
      return { key: g.key, ...contraction.expand(out) };
    }
    // Big graphs: longest-path layering and simple placement, linear in size.
    const big = c.children.length > BIG_GRAPH ? BIG_OPTIONS : {};
    const root: ElkNode = {
      id: 'root',
      layoutOptions: { ...ELK_OPTIONS, ...big, 'elk.direction': g.direction },
      children: c.children.map((n) => ({ ...n })),
      edges: c.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
    };
    const out = await this.engine().layout(root);
    const positions: LayoutResult['positions'] = {};
    for (const n of out.children ?? []) positions[n.id] = { x: n.x ?? 0, y: n.y ?? 0 };
    const edges: LayoutResult['edges'] = {};
    for (const e of (out.edges ?? []) as ElkExtendedEdge[]) {
      const sec = e.sections?.[0];
      if (sec) edges[e.id] = [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint];
    }
    const expanded = contraction.expand({ width: out.width ?? 0, height: out.height ?? 0, positions, edges });
    return { key: g.key, ...expanded };
  }

  async layout(graph: VisibleGraph, direction: LayoutDirection): Promise<PlacedGraph> {
    const started = performance.now();
    const sizes = new Map<string, { width: number; height: number }>();
    for (const n of graph.nodes) if (n.kind !== 'group') sizes.set(n.id, { width: n.width, height: n.height });

    // Containers deepest first, so a group's size is known before its parent is laid out.
    const depthOf = (id: string | null): number => (id === null ? 0 : 1 + depthOf(graph.byId.get(id)?.parent ?? null));
    const containers = [...graph.children.keys()].sort((a, b) => depthOf(b) - depthOf(a));
    const ancestorIn = (id: string, container: string | null): string | null => {
      let cur: string | null = id;
      while (cur !== null) {
        const parent: string | null = graph.byId.get(cur)?.parent ?? null;
        if (parent === container) return cur;
        cur = parent;
      }
      return null;
    };

    const results = new Map<string | null, LayoutResult>();
    let laidOut = 0;
    // Group containers by depth: all containers of one depth go to the worker in one request.
    const byDepth = new Map<number, (string | null)[]>();
    for (const c of containers) (byDepth.get(depthOf(c)) ?? byDepth.set(depthOf(c), []).get(depthOf(c))!).push(c);
    for (const depth of [...byDepth.keys()].sort((a, b) => b - a)) {
      const jobs: Promise<void>[] = [];
      for (const container of byDepth.get(depth)!) {
        const kids = graph.children.get(container) ?? [];
        const edges: LayoutRequestGraph['edges'] = [];
        const seen = new Set<string>();
        for (const e of graph.edges) {
          const a = ancestorIn(e.from, container);
          const b = ancestorIn(e.to, container);
          if (!a || !b || a === b) continue;
          // Edges between children of this container keep their id (and their routing).
          const direct = a === e.from && b === e.to;
          const id = direct ? e.id : `lift:${a}\u0000${b}`;
          if (seen.has(id)) continue;
          seen.add(id);
          edges.push({ id, source: a, target: b });
        }
        const children = kids.map((id) => ({ id, ...sizes.get(id)! }));
        const key = shapeKey(direction, children, edges);
        let shape = this.cache.get(key);
        if (!shape) {
          laidOut++;
          shape = this.layoutOne({ key, direction, children, edges }).then((r) => toShape(r, children, edges));
          this.cache.set(key, shape);
          shape.catch(() => this.cache.delete(key));
        }
        jobs.push(shape.then((sl) => { results.set(container, fromShape(sl, key, children, edges)); }));
      }
      await Promise.all(jobs);
      for (const container of byDepth.get(depth)!) {
        if (container === null) continue;
        const r = results.get(container)!;
        const group = graph.byId.get(container)!.node;
        const title = `${group.name} (${group.type}) · ${thousands(group.params)} params · ❄ frozen`;
        sizes.set(container, { width: Math.max(r.width + 2 * GROUP_PAD, title.length * 6.9 + 44), height: r.height + GROUP_HEADER + GROUP_PAD });
      }
    }
    if (this.cache.size > 500) this.cache.clear();

    // Compose absolute positions top-down.
    const nodes = new Map<string, PlacedNode>();
    const edges = new Map<string, { x: number; y: number }[]>();
    const place = (container: string | null, ox: number, oy: number) => {
      const r = results.get(container);
      if (!r) return;
      for (const id of graph.children.get(container) ?? []) {
        const p = r.positions[id] ?? { x: 0, y: 0 };
        const size = sizes.get(id)!;
        nodes.set(id, { id, x: ox + p.x, y: oy + p.y, ...size });
        if (graph.children.has(id)) place(id, ox + p.x + GROUP_PAD, oy + p.y + GROUP_HEADER);
      }
      for (const [id, points] of Object.entries(r.edges)) {
        if (!id.startsWith('lift:')) edges.set(id, points.map((pt) => ({ x: pt.x + ox, y: pt.y + oy })));
      }
    };
    place(null, 0, 0);
    const top = results.get(null)!;
    return { nodes, edges, width: top.width, height: top.height, laidOut, ms: performance.now() - started };
  }

  dispose(): void {
    this.elk?.terminateWorker();
    this.elk = null;
  }
}

/** The container's content by position: the children's sizes in order and the edges as index pairs. */
function shapeKey(direction: LayoutDirection, children: LayoutRequestGraph['children'], edges: LayoutRequestGraph['edges']): string {
  const index = new Map(children.map((c, i) => [c.id, i]));
  return `${direction}|${children.map((c) => `${c.width}x${c.height}`).join(',')}|${edges.map((e) => `${index.get(e.source)}>${index.get(e.target)}`).join(',')}`;
}

function toShape(r: LayoutResult, children: LayoutRequestGraph['children'], edges: LayoutRequestGraph['edges']): ShapeLayout {
  return { width: r.width, height: r.height, positions: children.map((c) => r.positions[c.id] ?? { x: 0, y: 0 }), edges: edges.map((e) => r.edges[e.id]) };
}

function fromShape(s: ShapeLayout, key: string, children: LayoutRequestGraph['children'], edges: LayoutRequestGraph['edges']): LayoutResult {
  const positions: LayoutResult['positions'] = {};
  children.forEach((c, i) => { positions[c.id] = s.positions[i]; });
  const routes: LayoutResult['edges'] = {};
  edges.forEach((e, i) => { const points = s.edges[i]; if (points) routes[e.id] = points; });
  return { key, width: s.width, height: s.height, positions, edges: routes };
}
