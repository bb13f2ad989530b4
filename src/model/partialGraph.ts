// The graph of a model whose building failed: the layers applied before the failing call, grouped by
// the user's helpers as a built model is, with the failing layer marked and the tensors it was given
// (their shapes on its incoming edges), so the panel shows where the shapes stopped fitting.
import type { GraphEdge, GraphNode, ModelGraph, SourceLocation } from '../protocol/modelInfo';
import type { AppliedCall, AppliedLayer, FailedCall, SymbolicLike } from './appliedCalls';
import { groupByCallStack } from './codeGroups';
import { fillGroupShapes, groupSite } from './modelGraph';
import { weightCount, type WeightLike } from './modelStructure';

const paramsOf = (layer: AppliedLayer): number => weightCount(((layer as { weights?: WeightLike[] }).weights ?? []));
const plain = (stack: AppliedCall['stack']) => stack.map((f) => ({ function: f.function, file: f.file, line: f.line, column: f.column }));

export function buildPartialGraph(calls: readonly AppliedCall[], failed: FailedCall, locate: (layer: object) => SourceLocation | null): ModelGraph {
  const all: (AppliedCall | (FailedCall & { nodeIndex: -1; outputs: [] }))[] = [...calls, { ...failed, nodeIndex: -1, outputs: [] }];
  const grouping = groupByCallStack(all.map((c) => c.stack), new Set(all.map((c) => c.layer.name)));
  const groups = new Map(grouping.groups.map((g) => [g.name, g]));
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const producers = new Map<AppliedLayer, Map<number, string>>();
  const inputs = new Map<AppliedLayer, string>();
  const uses = new Map<AppliedLayer, number>();

  for (const g of grouping.groups) {
    nodes.push({
      id: g.name, kind: 'group', groupBy: 'function', name: g.name, type: g.type, parent: g.parent, inputShapes: [], outputShape: [],
      params: 0, trainable: true, source: groupSite(g), callStack: plain(g.callStack as AppliedCall['stack']),
    });
  }
  const sourceOf = (t: SymbolicLike): string | null => {
    const layer = t.sourceLayer;
    if (layer.getClassName() === 'InputLayer') {
      let id = inputs.get(layer);
      if (!id) {
        id = layer.name;
        inputs.set(layer, id);
        nodes.splice(grouping.groups.length + inputs.size - 1, 0, {
          id, kind: 'input', name: layer.name, type: 'Input', parent: null, inputShapes: [], outputShape: [...t.shape],
          params: 0, trainable: false, source: locate(layer),
        });
      }
      return id;
    }
    return producers.get(layer)?.get(t.nodeIndex) ?? null;
  };
  all.forEach((call, i) => {
    const { layer } = call;
    const n = (uses.get(layer) ?? 0) + 1;
    uses.set(layer, n);
    const id = n > 1 ? `${layer.name}:${n - 1}` : layer.name;
    if (call.nodeIndex >= 0) {
      if (!producers.has(layer)) producers.set(layer, new Map());
      producers.get(layer)!.set(call.nodeIndex, id);
    }
    const group = grouping.groupOf[i];
    const outputs = call.outputs.map((t) => [...t.shape]);
    const params = paramsOf(layer);
    nodes.push({
      id, kind: 'layer', name: layer.name, type: layer.getClassName(), parent: group,
      inputShapes: call.inputs.map((t) => [...t.shape]), outputShape: outputs.length === 1 ? outputs[0] : outputs,
      params, trainable: true, source: (group !== null ? groupSite(groups.get(group)) : null) ?? locate(layer),
      ...(call.stack.length ? { callStack: plain(call.stack) } : {}),
      ...(call.nodeIndex < 0 ? { failed: true } : {}),
    });
    for (const t of call.inputs) {
      const from = sourceOf(t);
      if (from) edges.push({ from, to: id, shape: [...t.shape] });
    }
  });
  for (const g of nodes) {
    if (g.kind !== 'group') continue;
    const inside = (n: GraphNode): boolean => n.parent !== null && (n.parent === g.id || inside(nodes.find((m) => m.id === n.parent)!));
    g.params = nodes.filter((n) => n.kind === 'layer' && inside(n)).reduce((sum, n) => sum + n.params, 0);
  }
  fillGroupShapes(nodes, edges);
  return { nodes, edges };
}
