// Which nodes and edges the graph view shows for the current UI state: groups collapsed to one node
// (or beyond the depth limit), runs of identical blocks folded to one "×N" node, and edges lifted
// to whatever stands for their ends. Pure: no DOM, testable on its own.
import { thousands } from '../format';
import type { GraphNode, ModelGraph, Shape } from '../../src/protocol/modelInfo';

export type VisibleKind = 'input' | 'layer' | 'output' | 'group' | 'collapsed' | 'repeat';

export interface VisibleNode {
  id: string;
  kind: VisibleKind;
  /** The model's node (for a repeat: the first block). */
  node: GraphNode;
  /** The expanded group this node is drawn inside (null: top level). */
  parent: string | null;
  /** Layer names this node stands for (a collapsed group or a repeat: all layers inside). */
  layers: string[];
  /** For repeats: how many blocks and their ids. */
  repeat?: { count: number; members: string[] };
  width: number;
  height: number;
}

export interface VisibleEdge {
  id: string;
  from: string;
  to: string;
  shape: Shape;
  /** How many model edges this one stands for. */
  count: number;
}

export interface VisibleGraph {
  nodes: VisibleNode[];
  edges: VisibleEdge[];
  byId: Map<string, VisibleNode>;
  /** Expanded containers (null = top level) and the ids directly inside each. */
  children: Map<string | null, string[]>;
}

export interface GraphUiState {
  /** Groups the user collapsed (expanded ones are the default within the depth). */
  collapsed: ReadonlySet<string>;
  /** Groups the user expanded beyond the depth limit. */
  expanded: ReadonlySet<string>;
  /** Repeats the user unfolded (by the id of their first block). */
  unfolded: ReadonlySet<string>;
  /** Groups nested deeper than this start collapsed (1 = only top-level nodes). */
  depth: number;
}

export const NODE_SIZE: Record<VisibleKind, { width: number; height: number }> = {
  input: { width: 170, height: 44 },
  output: { width: 170, height: 44 },
  layer: { width: 180, height: 62 },
  collapsed: { width: 190, height: 62 },
  repeat: { width: 190, height: 62 },
  group: { width: 0, height: 0 },
};

/** Approximate text widths (px per character) of the node's three lines, to size boxes to their text. */
const CHAR = { title: 7.4, shapes: 6.5, params: 6.3 };
const MAX_NODE_WIDTH = 360;

function shapeText(s: unknown): string {
  const one = (x: (number | null)[]) => `[${x.map((d) => (d === null ? 'B' : d)).join(', ')}]`;
  if (!Array.isArray(s) || s.length === 0) return '[]';
  return Array.isArray(s[0]) ? (s as (number | null)[][]).map(one).join(', ') : one(s as (number | null)[]);
}

/** Width that fits the node's longest line (the view draws the same three lines). */
export function nodeWidth(kind: VisibleKind, n: GraphNode, extra: { count?: number; layers?: number } = {}): number {
  const min = NODE_SIZE[kind].width;
  if (kind === 'group') return 0;
  if (kind === 'input' || kind === 'output') return Math.min(MAX_NODE_WIDTH, Math.max(min, (`${kind}: ${shapeText(n.outputShape)}`.length) * CHAR.title * 0.92 + 28));
  const title = kind === 'repeat' ? `${n.type} ×${extra.count}` : kind === 'collapsed' ? `▸ ${n.name} (${n.type})` : `${n.type} · ${n.name}`;
  const shapes = n.failed ? `${n.inputShapes.map(shapeText).join(' + ')} → ✗`
    : `${n.inputShapes.length > 1 ? `${n.inputShapes.length} inputs` : shapeText(n.inputShapes[0] ?? [])} → ${shapeText(n.outputShape)}`;
  const params = kind === 'repeat' ? `${thousands(n.params)} params each · click to unfold`
    : kind === 'collapsed' ? `${extra.layers} layers · ${thousands(n.params)} params`
      : `${thousands(n.params)} params · ❄ frozen`;
  const needed = Math.max(title.length * CHAR.title, shapes.length * CHAR.shapes, params.length * CHAR.params) + 26;
  return Math.min(MAX_NODE_WIDTH, Math.max(min, Math.ceil(needed)));
}

/** The depth a graph opens at: stage → block → the helper inside it (e.g. convBn) collapsed. */
export const DEFAULT_DEPTH = 3;
/** Models with more layers than this open one level shallower, as torchview's `depth` does: only the
 *  top-level groups and the boxes directly in them, which lay out at once; a click expands a block. */
export const BIG_MODEL_LAYERS = 100;

/** The depth `graph` opens at when the user has not chosen one. */
export function openingDepth(graph: ModelGraph): number {
  let layers = 0;
  for (const n of graph.nodes) if (n.kind === 'layer') layers++;
  return layers > BIG_MODEL_LAYERS ? DEFAULT_DEPTH - 1 : DEFAULT_DEPTH;
}

/** Minimum number of identical blocks in a row that fold into one "×N" node. */
export const MIN_REPEAT = 3;

function nestingLevel(node: GraphNode, byId: Map<string, GraphNode>): number {
  let level = 1;
  let p = node.parent;
  while (p) { level++; p = byId.get(p)?.parent ?? null; }
  return level;
}

/** A structural fingerprint: equal for blocks that would look the same. */
function signatures(graph: ModelGraph): Map<string, string> {
  const kids = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) if (n.parent) (kids.get(n.parent) ?? kids.set(n.parent, []).get(n.parent)!).push(n);
  const memo = new Map<string, string>();
  const sig = (n: GraphNode): string => {
    const known = memo.get(n.id);
    if (known) return known;
    const own = `${n.kind}:${n.type}:${JSON.stringify(n.inputShapes)}:${JSON.stringify(n.outputShape)}:${n.params}:${n.trainable}`;
    const s = n.kind === 'group' ? `${own}{${(kids.get(n.id) ?? []).map(sig).join(',')}}` : own;
    memo.set(n.id, s);
    return s;
  };
  for (const n of graph.nodes) sig(n);
  return memo;
}

export function computeVisibleGraph(graph: ModelGraph, ui: GraphUiState): VisibleGraph {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const isOpen = (g: GraphNode) => !ui.collapsed.has(g.id) && (nestingLevel(g, byId) < ui.depth || ui.expanded.has(g.id));

  // 1. What stands for each model node: itself, or its outermost collapsed ancestor group.
  const standsFor = new Map<string, string>();
  for (const n of graph.nodes) {
    let rep = n.id;
    let p = n.parent;
    while (p) {
      const g = byId.get(p);
      if (!g) break;
      if (!isOpen(g)) rep = g.id;
      p = g.parent;
    }
    standsFor.set(n.id, rep);
  }

  // 2. Fold runs of identical sibling blocks that form a simple chain.
  const sigs = signatures(graph);
  // Sets: a block with an identity shortcut takes its input along two edges, still one link in the chain.
  const outs = new Map<string, Set<string>>();
  const ins = new Map<string, Set<string>>();
  const lifted = (id: string, parent: string | null): string | null => {
    // The ancestor of `id` (or itself) that is a direct child of `parent`.
    let cur = byId.get(id);
    while (cur && cur.parent !== parent) cur = cur.parent ? byId.get(cur.parent) : undefined;
    return cur ? cur.id : null;
  };
  const siblingsOf = new Map<string | null, GraphNode[]>();
  for (const n of graph.nodes) (siblingsOf.get(n.parent) ?? siblingsOf.set(n.parent, []).get(n.parent)!).push(n);
  for (const [parent, siblings] of siblingsOf) {
    for (const e of graph.edges) {
      const a = lifted(e.from, parent);
      const b = lifted(e.to, parent);
      if (!a || !b || a === b) continue;
      (outs.get(a) ?? outs.set(a, new Set()).get(a)!).add(b);
      (ins.get(b) ?? ins.set(b, new Set()).get(b)!).add(a);
    }
    void siblings;
  }
  const repeatOf = new Map<string, string>(); // member id → repeat id
  const repeats = new Map<string, string[]>(); // repeat id → members
  for (const [parent, siblings] of siblingsOf) {
    if (parent !== null && standsFor.get(parent) !== parent) continue; // inside a collapsed group
    if (parent !== null && !isOpen(byId.get(parent)!)) continue;
    let i = 0;
    while (i < siblings.length) {
      const run = [siblings[i]];
      while (i + run.length < siblings.length) {
        const prev = run[run.length - 1];
        const next = siblings[i + run.length];
        const single = outs.get(prev.id)?.size === 1 && outs.get(prev.id)!.has(next.id) && ins.get(next.id)?.size === 1;
        // A shared layer (or nested model) called again is not another block: its weights are the
        // same ones, and "N params each" would count them twice.
        const again = run.some((n) => n.name === next.name);
        if (!single || again || sigs.get(next.id) !== sigs.get(prev.id) || next.kind === 'input' || next.kind === 'output') break;
        run.push(next);
      }
      if (run.length >= MIN_REPEAT && run[0].kind !== 'input' && !ui.unfolded.has(run[0].id)) {
        const id = `repeat:${run[0].id}`;
        repeats.set(id, run.map((n) => n.id));
        for (const n of run) repeatOf.set(n.id, id);
      }
      i += run.length;
    }
  }
  const finalRep = (id: string): string => {
    // A node inside a folded block stands for the repeat; check the node and its ancestors.
    let cur: string | null = standsFor.get(id) ?? id;
    let probe: string | null = cur;
    while (probe) {
      const r = repeatOf.get(probe);
      if (r) return r;
      probe = byId.get(probe)?.parent ?? null;
    }
    return cur!;
  };

  // 3. Visible nodes.
  const nodes: VisibleNode[] = [];
  const visibleById = new Map<string, VisibleNode>();
  // Layers by enclosing group (every ancestor), in graph order: group ids need not be path prefixes of their members'.
  const layersIn = new Map<string, string[]>();
  for (const n of graph.nodes) {
    if (n.kind !== 'layer') continue;
    for (let p = n.parent; p; p = byId.get(p)?.parent ?? null) (layersIn.get(p) ?? layersIn.set(p, []).get(p)!).push(n.name);
  }
  const layersUnder = (id: string): string[] => (byId.get(id)?.kind === 'layer' ? [byId.get(id)!.name] : layersIn.get(id) ?? []);
  const visibleParent = (n: GraphNode): string | null => {
    let p = n.parent;
    while (p && (standsFor.get(p) !== p || repeatOf.has(p))) p = byId.get(p)?.parent ?? null;
    return p;
  };
  for (const n of graph.nodes) {
    const rep = finalRep(n.id);
    if (visibleById.has(rep)) continue;
    if (rep.startsWith('repeat:')) {
      const members = repeats.get(rep)!;
      const first = byId.get(members[0])!;
      const v: VisibleNode = {
        id: rep, kind: 'repeat', node: first, parent: visibleParent(first), ...NODE_SIZE.repeat,
        layers: members.flatMap(layersUnder), repeat: { count: members.length, members },
      };
      v.width = nodeWidth('repeat', first, { count: members.length });
      nodes.push(v); visibleById.set(rep, v);
      continue;
    }
    if (rep !== n.id) continue; // drawn by its collapsed ancestor, which comes first in the list
    const kind: VisibleKind = n.kind === 'group' ? (isOpen(n) ? 'group' : 'collapsed') : n.kind;
    const v: VisibleNode = { id: n.id, kind, node: n, parent: visibleParent(n), ...NODE_SIZE[kind], layers: n.kind === 'layer' ? [n.name] : layersUnder(n.id) };
    v.width = nodeWidth(kind, n, { layers: v.layers.length });
    nodes.push(v); visibleById.set(n.id, v);
  }

  // 4. Edges between what stands for their ends, merged.
  const edges: VisibleEdge[] = [];
  const seen = new Map<string, VisibleEdge>();
  for (const e of graph.edges) {
    const from = finalRep(e.from);
    const to = finalRep(e.to);
    if (from === to) continue;
    const key = `${from}\u0000${to}`;
    const existing = seen.get(key);
    if (existing) { existing.count++; continue; }
    const v: VisibleEdge = { id: `e:${key}`, from, to, shape: e.shape, count: 1 };
    seen.set(key, v);
    edges.push(v);
  }

  const children = new Map<string | null, string[]>([[null, []]]);
  for (const v of nodes) {
    if (v.kind === 'group') children.set(v.id, children.get(v.id) ?? []);
    (children.get(v.parent) ?? children.set(v.parent, []).get(v.parent)!).push(v.id);
  }
  return { nodes, edges, byId: visibleById, children };
}

/** The boxes whose layer name or type contains `query` (any case), in graph order; none for a blank query. */
export function findNodes(graph: VisibleGraph, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  return graph.nodes.filter((n) => n.kind !== 'group' && (n.node.name.toLowerCase().includes(q) || n.node.type.toLowerCase().includes(q))).map((n) => n.id);
}
