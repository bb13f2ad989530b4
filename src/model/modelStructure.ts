// Read-only access to the structure tfjs keeps inside a LayersModel: which layers a model holds,
// which of each layer's calls ("inbound nodes") belong to that model, and what tensors they carry.
// tfjs does not type these internals publicly, so they are read through the narrow shapes below.
import type * as tf from '@tensorflow/tfjs';
import type { Shape } from '../protocol/modelInfo';

export interface TensorLike {
  shape: Shape;
  dtype: string;
  name?: string;
}

export interface InboundNode {
  inboundLayers: LayerLike[];
  nodeIndices: number[];
  tensorIndices: number[];
  inputTensors: TensorLike[];
  outputTensors: TensorLike[];
}

export interface WeightLike {
  originalName: string;
  name: string;
  shape: number[];
  dtype: string;
  trainable: boolean;
}

export interface LayerLike {
  name: string;
  trainable: boolean;
  inboundNodes: InboundNode[];
  weights: WeightLike[];
  trainableWeights: WeightLike[];
  getClassName(): string;
  getConfig(): Record<string, unknown>;
}

/** The functional graph that holds a model's layers (a Sequential keeps one inside). */
export interface ContainerLike extends LayerLike {
  layers: LayerLike[];
  inputLayers: LayerLike[];
  outputLayers: LayerLike[];
  outputLayersNodeIndices: number[];
  outputLayersTensorIndices: number[];
  inputs: TensorLike[];
  outputs: TensorLike[];
  containerNodes: Set<string>;
}

export function isModel(layer: LayerLike | tf.LayersModel): boolean {
  return Array.isArray((layer as unknown as { layers?: unknown }).layers);
}

export function isInputLayer(layer: LayerLike): boolean {
  return layer.getClassName() === 'InputLayer';
}

/** The container whose nodes describe `model`'s graph; builds a Sequential's on first use. */
export function containerOf(model: LayerLike | tf.LayersModel): ContainerLike {
  const seq = model as unknown as { model?: ContainerLike; build?: () => void; getClassName(): string };
  if (seq.getClassName() === 'Sequential') {
    if (!seq.model) seq.build?.();
    if (seq.model) return seq.model;
  }
  return model as unknown as ContainerLike;
}

/** The calls of `layer` that are part of `container`, with their index in layer.inboundNodes. */
export function nodesInContainer(container: ContainerLike, layer: LayerLike): { node: InboundNode; index: number }[] {
  const found: { node: InboundNode; index: number }[] = [];
  layer.inboundNodes.forEach((node, index) => {
    if (container.containerNodes.has(`${layer.name}_ib-${index}`)) found.push({ node, index });
  });
  return found;
}

export function withBatch(shape: Shape, batch: number | null): Shape {
  if (batch === null || shape.length === 0 || shape[0] !== null) return [...shape];
  return [batch, ...shape.slice(1)];
}

export function shapeOf(tensors: TensorLike[], batch: number | null): Shape | Shape[] {
  const shapes = tensors.map((t) => withBatch(t.shape, batch));
  return shapes.length === 1 ? shapes[0] : shapes;
}

export function sizeOf(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((n, d) => n * (d ?? 1), 1);
}

export function weightCount(weights: WeightLike[]): number {
  return weights.reduce((n, w) => n + sizeOf(w.shape), 0);
}

export const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, string: 4 };

export function weightBytes(weights: WeightLike[]): number {
  return weights.reduce((n, w) => n + sizeOf(w.shape) * (BYTES_PER_ELEMENT[w.dtype] ?? 4), 0);
}

interface BuildableModel {
  getClassName(): string;
  model?: unknown;
  build?: () => void;
}

/**
 * Builds a Sequential's inner graph without undoing freezes. tfjs's Sequential.build() sets
 * `model.trainable = this.trainable` on a container that holds a nested first model's layers
 * directly, which marks every weight trainable again: a frozen pretrained base would silently train.
 * Keras keeps it frozen; so do we, by restoring each weight's flag afterwards.
 */
export function buildKeepingFreezes(model: LayerLike | tf.LayersModel, allWeights: WeightLike[]): void {
  const m = model as unknown as BuildableModel;
  if (m.getClassName() !== 'Sequential' || m.model) return;
  const flags = allWeights.map((w) => [w, w.trainable] as const);
  m.build?.();
  for (const [w, trainable] of flags) (w as { trainable: boolean }).trainable = trainable;
}
