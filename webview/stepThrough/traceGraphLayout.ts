// Where the step-through draws a traced model: the model inputs, every traced layer and the loss in
// columns by their depth (the longest path from an input), with the graph's real edges (skip edges
// too). A chain's trace, which names no sources, reads as each layer fed by the one before. Pure: no DOM.
import type { TraceMessage } from '../../src/protocol/traceMessages';

export interface LayoutNode {
  name: string;
  kind: 'input' | 'layer' | 'loss';
  /** Index into trace.layers, or -1. */
  layer: number;
  column: number;
  row: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface TraceLayout {
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  columns: number;
  rows: number;
}

export const LOSS_NODE = 'loss';

export function traceGraphLayout(t: TraceMessage): TraceLayout {
  const inputs = t.inputs ?? ['input'];
  const edges: LayoutEdge[] = [];
  t.layers.forEach((l, i) => {
    const sources = l.sources ?? [i === 0 ? inputs[0] : t.layers[i - 1].layer];
    for (const from of sources) edges.push({ from, to: l.layer });
  });
  const output = t.layers.find((l) => l.consumers?.includes(LOSS_NODE)) ?? t.layers.at(-1);
  edges.push({ from: output?.layer ?? inputs[0], to: LOSS_NODE });
  const depth = new Map<string, number>(inputs.map((name) => [name, 0]));
  const deepest = (to: string) => Math.max(0, ...edges.filter((e) => e.to === to).map((e) => (depth.get(e.from) ?? 0) + 1));
  const nodes: LayoutNode[] = inputs.map((name) => ({ name, kind: 'input' as const, layer: -1, column: 0, row: 0 }));
  t.layers.forEach((l, i) => {
    depth.set(l.layer, deepest(l.layer));
    nodes.push({ name: l.layer, kind: 'layer', layer: i, column: depth.get(l.layer)!, row: 0 });
  });
  nodes.push({ name: LOSS_NODE, kind: 'loss', layer: -1, column: deepest(LOSS_NODE), row: 0 });
  const filled = new Map<number, number>();
  for (const node of nodes) {
    node.row = filled.get(node.column) ?? 0;
    filled.set(node.column, node.row + 1);
  }
  return { nodes, edges, columns: Math.max(...nodes.map((n) => n.column)) + 1, rows: Math.max(...filled.values()) };
}
