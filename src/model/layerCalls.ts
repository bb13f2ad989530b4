// One uniform view of a model's dataflow for the graph and the summary: its inputs, the calls of its
// layers in order, and which call (or model input) produces each tensor. A Sequential is read as the
// chain its `layers` list is (tfjs may splice a nested first model's layers into its inner graph);
// a functional model is read from the inbound nodes tfjs keeps.
import type { Shape } from '../protocol/modelInfo';
import {
  containerOf, isInputLayer, isModel, nodesInContainer, type ContainerLike, type InboundNode, type LayerLike, type TensorLike,
} from './modelStructure';

/** A model input (index) or output `tensor` of the call at `call` in the same list. */
export type TensorRef = { kind: 'input'; index: number } | { kind: 'call'; call: number; tensor: number };

export interface TensorInfo {
  shape: Shape;
  dtype: string;
}

export interface LayerCall {
  layer: LayerLike;
  /** Index of this call among the layer's calls in the model (> 0 only for shared layers). */
  callIndex: number;
  /** How many times the layer is called in this model. */
  callCount: number;
  /** The layer's inbound node this call is (-1 in a Sequential, read from its layer list). */
  nodeIndex: number;
  inputs: (TensorInfo & { from: TensorRef | null })[];
  outputs: TensorInfo[];
}

export interface ModelInput extends TensorInfo {
  name: string;
  layer: LayerLike | null;
}

export interface ModelCalls {
  inputs: ModelInput[];
  calls: LayerCall[];
  outputs: (TensorInfo & { from: TensorRef | null })[];
}

const info = (t: TensorLike): TensorInfo => ({ shape: [...t.shape], dtype: t.dtype ?? 'float32' });

function outputsOf(layer: LayerLike): TensorInfo[] {
  if (isModel(layer)) return (layer as ContainerLike).outputs.map(info);
  const last = layer.inboundNodes[layer.inboundNodes.length - 1];
  if (last) return last.outputTensors.map(info);
  const shape = (layer as unknown as { outputShape: Shape | Shape[] }).outputShape;
  const shapes = (Array.isArray(shape[0]) ? shape : [shape]) as Shape[];
  return shapes.map((s) => ({ shape: [...s], dtype: 'float32' }));
}

function sequentialCalls(model: ContainerLike): ModelCalls {
  const input = model.inputs[0];
  const source = (input as unknown as { sourceLayer?: LayerLike }).sourceLayer ?? null;
  const inputs: ModelInput[] = [{ name: source?.name ?? 'input', layer: source, ...info(input) }];
  const calls: LayerCall[] = [];
  let from: TensorRef = { kind: 'input', index: 0 };
  let current: TensorInfo = inputs[0];
  // A Keras-converted Sequential lists its InputLayer among its layers: it is the input, not a call.
  for (const layer of (model as unknown as { layers: LayerLike[] }).layers.filter((l) => !isInputLayer(l))) {
    const outputs = outputsOf(layer);
    calls.push({ layer, callIndex: 0, callCount: 1, nodeIndex: -1, inputs: [{ ...current, from }], outputs });
    from = { kind: 'call', call: calls.length - 1, tensor: 0 };
    current = outputs[0];
  }
  return { inputs, calls, outputs: [{ ...current, from }] };
}

function functionalCalls(container: ContainerLike): ModelCalls {
  const refs = new Map<string, TensorRef>();
  const key = (layer: LayerLike, node: number, tensor: number) => `${layer.name}\u0000${node}\u0000${tensor}`;
  const inputs: ModelInput[] = container.inputLayers.map((layer, index) => {
    refs.set(key(layer, 0, 0), { kind: 'input', index });
    return { name: layer.name, layer, ...info(container.inputs[index]) };
  });
  // Each call is a layer's inbound node in this container, listed in `container.layers` order.
  const found = container.layers.filter((l) => !isInputLayer(l)).flatMap((layer) => {
    const nodes = nodesInContainer(container, layer);
    return nodes.map(({ node, index }, callIndex) => ({ layer, node, index, callIndex, callCount: nodes.length }));
  });
  const producer = new Map<string, number>();
  found.forEach((f, i) => f.node.outputTensors.forEach((_, t) => producer.set(key(f.layer, f.index, t), i)));
  const calls: LayerCall[] = [];
  const nodes: InboundNode[] = [];
  for (const i of executionOrder(found.map((f) => f.node.inboundLayers.map((l, k) =>
    producer.get(key(l, f.node.nodeIndices[k], f.node.tensorIndices[k])) ?? -1)))) {
    const { layer, node, index, callIndex, callCount } = found[i];
    calls.push({ layer, callIndex, callCount, nodeIndex: index, inputs: [], outputs: node.outputTensors.map(info) });
    nodes.push(node);
    node.outputTensors.forEach((_, t) => refs.set(key(layer, index, t), { kind: 'call', call: calls.length - 1, tensor: t }));
  }
  // Inputs are resolved once every call is known: a shared layer's later call may be listed before its producer.
  calls.forEach((call, i) => {
    const node = nodes[i];
    call.inputs = node.inputTensors.map((t, k) => ({
      ...info(t),
      from: refs.get(key(node.inboundLayers[k], node.nodeIndices[k], node.tensorIndices[k])) ?? null,
    }));
  });
  const outputs = container.outputLayers.map((layer, i) => ({
    ...info(container.outputs[i]),
    from: refs.get(key(layer, container.outputLayersNodeIndices[i], container.outputLayersTensorIndices[i])) ?? null,
  }));
  return { inputs, calls, outputs };
}

/**
 * The calls in the order the forward pass runs them (torchinfo lists layers in its hooks' order): each
 * call after the calls producing its inputs, otherwise in the given order. A layer's calls are listed
 * together at its place in `container.layers`, so a shared layer's later call may need to move down;
 * a model without reuse keeps its order (tfjs lists its layers by depth, producers first).
 * `inputsOf[i]` are the indices of the calls feeding call i (-1: a model input).
 */
export function executionOrder(inputsOf: readonly (readonly number[])[]): number[] {
  const done = new Array<boolean>(inputsOf.length).fill(false);
  const ready = (i: number) => inputsOf[i].every((d) => d < 0 || d === i || done[d]);
  const order: number[] = [];
  // The search starts at the first call not yet placed: in a model without reuse that call is ready,
  // so each pick is found at once.
  let first = 0;
  while (order.length < inputsOf.length) {
    while (done[first]) first++;
    let i = first;
    while (i < inputsOf.length && (done[i] || !ready(i))) i++;
    // A cycle cannot come from tfjs; should one appear, keep the remaining calls in their order.
    if (i === inputsOf.length) i = first;
    done[i] = true;
    order.push(i);
  }
  return order;
}

export function modelCalls(model: LayerLike): ModelCalls {
  if (model.getClassName() === 'Sequential') return sequentialCalls(model as ContainerLike);
  return functionalCalls(containerOf(model));
}
