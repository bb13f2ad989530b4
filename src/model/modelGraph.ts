import type * as tf from '@tensorflow/tfjs';
import type { GraphEdge, GraphNode, ModelGraph, Shape, SourceLocation, StackFrame } from '../protocol/modelInfo';
import { callGrouping, callTree, type CallTreeItem, type StackOf } from './callGrouping';
import type { CodeGroup } from './codeGroups';
import { layerFacts } from './layerFacts';
import { modelCalls, type TensorRef } from './layerCalls';
import { isModel, weightCount, withBatch, type LayerLike, type WeightLike } from './modelStructure';

export interface GraphOptions {
  /** Nested models deeper than this are drawn as one node (torchview's `depth`). */
  depth?: number;
  /** Fills the batch dimension of every shape; null keeps it unknown. */
  batchSize?: number | null;
  locate?: (layerOrModel: object) => SourceLocation | null;
  /** The user's call stacks of layer calls: layers group by the helper functions that built them. */
  stackOf?: StackOf;
}

/** Where a tensor comes from inside one model: a drawn node, or the model's i-th input. */
type Source = { kind: 'node'; id: string } | { kind: 'entry'; index: number };

interface Expansion {
  /** For each input of the model, the nodes inside it that consume that input. */
  entries: string[][];
  /** For each output of the model, where it comes from inside. */
  outputs: (Source | null)[];
  /** The model's nodes, each group before what it holds. */
  nodes: GraphNode[];
  /** The edges inside the model, in its calls' order. */
  edges: GraphEdge[];
}

const plainFrames = (stack: readonly StackFrame[] | null | undefined): StackFrame[] | undefined =>
  stack?.length ? stack.map((f) => ({ function: f.function, file: f.file, line: f.line, column: f.column })) : undefined;

/** Where a group's helper was called from: the last frame of its stack. */
export function groupSite(group: CodeGroup | undefined): SourceLocation | null {
  const f = group?.callStack[group.callStack.length - 1];
  return f ? { file: f.file, line: f.line, column: f.column } : null;
}

/**
 * The model as torchview draws it with `expand_nested`: input and output tensor nodes, one node per
 * layer call, nested models and the user's helper functions as groups (`parent`), and edges that
 * carry the tensor's shape.
 */
export function buildModelGraph(model: tf.LayersModel, options: GraphOptions = {}): ModelGraph {
  const depth = options.depth ?? Infinity;
  const batch = options.batchSize ?? null;
  const locate = options.locate ?? (() => null);

  function expand(owner: LayerLike, parent: string | null, prefix: string, level: number, frozen: boolean): Expansion {
    const { inputs, calls, outputs } = modelCalls(owner);
    const nodes: GraphNode[] = [];
    /** Per call, the edges drawn inside it (a nested model's) and then into it. */
    const callEdges: GraphEdge[][] = calls.map(() => []);
    const entries: string[][] = inputs.map(() => []);
    const inputSources: Source[] = inputs.map((input, index) => {
      if (parent !== null) return { kind: 'entry', index };
      // Only the outermost model's inputs are drawn as tensor nodes.
      const id = prefix + input.name;
      nodes.push({
        id, kind: 'input', name: input.name, type: 'Input', parent, inputShapes: [],
        outputShape: withBatch(input.shape, batch), params: 0, trainable: false,
        source: input.layer ? locate(input.layer) : null,
      });
      return { kind: 'node', id };
    });
    // Every call's node(s) first, then its input edges: a shared layer or nested model called again
    // further down may be listed before the call that produces its input.
    /** Per call, where each output comes from: a node, or (a nested model passing an input through) the call's k-th input. */
    const callOutputs: (Source | { kind: 'through'; input: number })[][] = [];
    /** Per call, for each of its inputs, the node ids that consume it. */
    const callTargets: string[][][] = [];
    const grouping = callGrouping(calls, options.stackOf);
    const groups = new Map(grouping.groups.map((g) => [g.name, g]));
    const groupId = (name: string | null) => (name === null ? parent : prefix + name);
    const callNodes: GraphNode[][] = [];
    calls.forEach((call, i) => {
      const { layer } = call;
      const id = prefix + layer.name + (call.callCount > 1 ? `:${call.callIndex}` : '');
      const params = weightCount(layer.weights);
      const outputShapes = call.outputs.map((o) => withBatch(o.shape, batch));
      const group = grouping.groupOf[i];
      const common = {
        id, name: layer.name, type: layer.getClassName(), parent: groupId(group),
        inputShapes: call.inputs.map((t) => withBatch(t.shape, batch)),
        outputShape: outputShapes.length === 1 ? outputShapes[0] : outputShapes,
        params,
        trainable: params > 0 ? weightCount(layer.trainableWeights) > 0 : layer.trainable && !frozen,
        source: (group !== null ? groupSite(groups.get(group)) : null) ?? locate(layer),
        ...(options.stackOf ? { callStack: plainFrames(options.stackOf(layer, call.nodeIndex)) } : {}),
      };
      if (isModel(layer) && level < depth) {
        const inner = expand(layer, id, `${id}/`, level + 1, frozen || !layer.trainable);
        callNodes.push([{ kind: 'group', groupBy: 'model', ...common }, ...inner.nodes]);
        callEdges[i].push(...inner.edges);
        callTargets.push(call.inputs.map((_, k) => inner.entries[k] ?? []));
        // An output that is one of the nested model's own inputs passes the outer source through.
        callOutputs.push(inner.outputs.map((s) => (s?.kind === 'entry' ? { kind: 'through', input: s.index } : s) ?? { kind: 'node', id }));
      } else {
        const facts = layerFacts(layer.getConfig());
        callNodes.push([{ kind: 'layer', ...common, ...(Object.keys(facts).length ? { facts } : {}) }]);
        callTargets.push(call.inputs.map(() => [id]));
        callOutputs.push(call.outputs.map(() => ({ kind: 'node', id })));
      }
    });
    const resolving = new Set<number>();
    const resolve = (ref: TensorRef | null): Source | null => {
      if (!ref) return null;
      if (ref.kind === 'input') return inputSources[ref.index];
      const out = callOutputs[ref.call]?.[ref.tensor];
      if (!out) return null;
      if (out.kind !== 'through') return out;
      if (resolving.has(ref.call)) return null;
      resolving.add(ref.call);
      try { return resolve(calls[ref.call].inputs[out.input]?.from ?? null); } finally { resolving.delete(ref.call); }
    };
    const connect = (edges: GraphEdge[], source: Source | null, to: string, shape: Shape) => {
      // Every input of a call comes from a model input or another call: a missing one is our bug, not a dead end to hide.
      if (!source) throw new Error(`model graph: no source for an input of ${to}`);
      if (source.kind === 'node') edges.push({ from: source.id, to, shape: withBatch(shape, batch) });
      else entries[source.index].push(to);
    };
    calls.forEach((call, i) => {
      call.inputs.forEach((t, k) => {
        for (const to of callTargets[i][k]) connect(callEdges[i], resolve(t.from), to, t.shape);
      });
    });

    // Groups stand before what they hold; their figures are their layers'.
    const emit = (items: CallTreeItem[]) => {
      for (const item of items) {
        if (item.kind === 'call') { nodes.push(...callNodes[item.index]); continue; }
        const g = groups.get(item.name)!;
        const members = calls.filter((_, i) => isWithin(grouping.groupOf[i], item.name, groups));
        const layers = [...new Set(members.map((c) => c.layer))];
        const weights = layers.flatMap((l) => l.weights as WeightLike[]);
        const params = weightCount(weights);
        nodes.push({
          id: prefix + g.name, kind: 'group', groupBy: g.callStack.length ? 'function' : 'prefix', name: g.name, type: g.type,
          parent: groupId(g.parent), inputShapes: [], outputShape: [], params,
          trainable: params > 0 ? weightCount(layers.flatMap((l) => l.trainableWeights as WeightLike[])) > 0 : !frozen,
          source: groupSite(g), ...(g.callStack.length ? { callStack: plainFrames(g.callStack) } : {}),
        });
        emit(item.items);
      }
    };
    emit(callTree(grouping, calls.length));
    return { entries, outputs: outputs.map((o) => resolve(o.from)), nodes, edges: callEdges.flat() };
  }

  const root = model as unknown as LayerLike;
  const expansion = expand(root, null, '', 1, !root.trainable);
  const { nodes, edges } = expansion;
  const { outputs } = modelCalls(root);
  outputs.forEach((output, i) => {
    const id = `output:${i}`;
    const shape = withBatch(output.shape, batch);
    const source = expansion.outputs[i];
    const producer = source?.kind === 'node' ? nodes.find((n) => n.id === source.id) : undefined;
    nodes.push({
      id, kind: 'output', name: producer?.name ?? `output_${i}`, type: 'Output', parent: null,
      inputShapes: [shape], outputShape: shape, params: 0, trainable: false, source: null,
    });
    if (source?.kind === 'node') edges.push({ from: source.id, to: id, shape });
  });
  fillGroupShapes(nodes, edges);
  return { nodes, edges };
}

/** True when a call whose innermost group is `group` lies in `within` (itself or a group inside it). */
function isWithin(group: string | null, within: string, groups: Map<string, CodeGroup>): boolean {
  let g = group;
  while (g !== null) {
    if (g === within) return true;
    g = groups.get(g)?.parent ?? null;
  }
  return false;
}

/** A group of helper calls takes the shapes of the tensors that cross its border, as a nested model has. */
export function fillGroupShapes(nodes: GraphNode[], edges: readonly GraphEdge[]): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let p = byId.get(id)?.parent ?? null; p !== null; p = byId.get(p)?.parent ?? null) out.push(p);
    return out;
  };
  const ins = new Map<string, Map<string, Shape>>();
  const outs = new Map<string, Map<string, Shape>>();
  const add = (map: Map<string, Map<string, Shape>>, group: string, key: string, shape: Shape) => {
    let m = map.get(group);
    if (!m) map.set(group, (m = new Map()));
    if (!m.has(key)) m.set(key, shape);
  };
  for (const e of edges) {
    const from = new Set(ancestors(e.from));
    const to = new Set(ancestors(e.to));
    for (const g of to) if (!from.has(g)) add(ins, g, e.from, e.shape);
    for (const g of from) if (!to.has(g)) add(outs, g, e.from, e.shape);
  }
  for (const n of nodes) {
    if (n.kind !== 'group' || n.groupBy === 'model') continue;
    n.inputShapes = [...(ins.get(n.id)?.values() ?? [])];
    const leaving = [...(outs.get(n.id)?.values() ?? [])];
    n.outputShape = leaving.length === 1 ? leaving[0] : leaving;
  }
}
