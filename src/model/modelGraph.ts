import type * as tf from '@tensorflow/tfjs';
import type { GraphEdge, GraphNode, ModelGraph, Shape, SourceLocation } from '../protocol/modelInfo';
import { modelCalls, type TensorRef } from './layerCalls';
import { isModel, weightCount, withBatch, type LayerLike } from './modelStructure';

export interface GraphOptions {
  /** Nested models deeper than this are drawn as one node (torchview's `depth`). */
  depth?: number;
  /** Fills the batch dimension of every shape; null keeps it unknown. */
  batchSize?: number | null;
  locate?: (layerOrModel: object) => SourceLocation | null;
}

/** Where a tensor comes from inside one model: a drawn node, or the model's i-th input. */
type Source = { kind: 'node'; id: string } | { kind: 'entry'; index: number };

interface Expansion {
  /** For each input of the model, the nodes inside it that consume that input. */
  entries: string[][];
  /** For each output of the model, where it comes from inside. */
  outputs: (Source | null)[];
}

/**
 * The model as torchview draws it with `expand_nested`: input and output tensor nodes, one node per
 * layer call, nested models as groups (`parent`), and edges that carry the tensor's shape.
 */
export function buildModelGraph(model: tf.LayersModel, options: GraphOptions = {}): ModelGraph {
  const depth = options.depth ?? Infinity;
  const batch = options.batchSize ?? null;
  const locate = options.locate ?? (() => null);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];

  function expand(owner: LayerLike, parent: string | null, prefix: string, level: number, frozen: boolean): Expansion {
    const { inputs, calls, outputs } = modelCalls(owner);
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
    const callSources: Source[][] = [];
    const resolve = (ref: TensorRef | null): Source | null => {
      if (!ref) return null;
      return ref.kind === 'input' ? inputSources[ref.index] : (callSources[ref.call]?.[ref.tensor] ?? null);
    };
    const connect = (source: Source | null, to: string, shape: Shape) => {
      if (!source) return;
      if (source.kind === 'node') edges.push({ from: source.id, to, shape: withBatch(shape, batch) });
      else entries[source.index].push(to);
    };

    for (const call of calls) {
      const { layer } = call;
      const id = prefix + layer.name + (call.callCount > 1 ? `:${call.callIndex}` : '');
      const params = weightCount(layer.weights);
      const outputShapes = call.outputs.map((o) => withBatch(o.shape, batch));
      const common = {
        id, name: layer.name, type: layer.getClassName(), parent,
        inputShapes: call.inputs.map((t) => withBatch(t.shape, batch)),
        outputShape: outputShapes.length === 1 ? outputShapes[0] : outputShapes,
        params,
        trainable: params > 0 ? weightCount(layer.trainableWeights) > 0 : layer.trainable && !frozen,
        source: locate(layer),
      };
      const sources = call.inputs.map((t) => resolve(t.from));
      if (isModel(layer) && level < depth) {
        nodes.push({ kind: 'group', ...common });
        const inner = expand(layer, id, `${id}/`, level + 1, frozen || !layer.trainable);
        call.inputs.forEach((t, k) => {
          for (const to of inner.entries[k] ?? []) connect(sources[k], to, t.shape);
        });
        // An output that is one of the nested model's own inputs passes the outer source through.
        callSources.push(inner.outputs.map((s) => (s?.kind === 'entry' ? sources[s.index] : s) ?? { kind: 'node', id }));
      } else {
        nodes.push({ kind: 'layer', ...common });
        call.inputs.forEach((t, k) => connect(sources[k], id, t.shape));
        callSources.push(call.outputs.map(() => ({ kind: 'node', id })));
      }
    }
    return { entries, outputs: outputs.map((o) => resolve(o.from)) };
  }

  const root = model as unknown as LayerLike;
  const expansion = expand(root, null, '', 1, !root.trainable);
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
  return { nodes, edges };
}
