// A model's dataflow as the step trace walks it: every call of a layer (nested models opened, a
// shared layer once per call) in topological order, where each of its inputs comes from and which
// calls read its output, so backprop can run in reverse order and sum a fork's paths.
import type * as tf from '@tensorflow/tfjs';
import { modelCalls, type TensorRef } from '../model/layerCalls';
import { isModel, type LayerLike } from '../model/modelStructure';
import type { Layer } from './layerActivation';

/** A model input (index) or the output of the call at `call` in CallGraph.calls. */
export type Source = { kind: 'input'; index: number } | { kind: 'call'; call: number };

export interface GraphCall {
  layer: Layer;
  /** The layer's name, with "(call k)" after it when the model calls the layer more than once. */
  name: string;
  /** Which of the layer's calls this is (from 0), and how many there are. */
  callIndex: number;
  callCount: number;
  sources: Source[];
  /** The calls that read this call's output (once per input they read it into); 'output' for the model's output. */
  consumers: (number | 'output')[];
}

export interface CallGraph {
  inputNames: string[];
  calls: GraphCall[];
  output: Source;
}

interface Placed { layer: Layer; sources: Source[] }

/** Places `owner`'s calls into `into` (sources first), reading its inputs from `inputs`; its outputs, or null when it cannot be followed. */
function flatten(owner: LayerLike, inputs: Source[], into: Placed[]): Source[] | null {
  const { calls, outputs } = modelCalls(owner);
  const made: (Source[] | null | undefined)[] = calls.map(() => undefined);
  const resolve = (from: TensorRef | null): Source | null => {
    if (!from) return null;
    return from.kind === 'input' ? inputs[from.index] ?? null : place(from.call)?.[from.tensor] ?? null;
  };
  function place(i: number): Source[] | null {
    if (made[i] !== undefined) return made[i]!;
    made[i] = null; // a call reached again before it is placed would be a cycle: not followed
    const call = calls[i];
    const sources = call.inputs.map((t) => resolve(t.from));
    if (sources.some((s) => s === null)) return null;
    if (isModel(call.layer)) made[i] = flatten(call.layer, sources as Source[], into);
    else if (call.outputs.length === 1) {
      into.push({ layer: call.layer as unknown as Layer, sources: sources as Source[] });
      made[i] = [{ kind: 'call', call: into.length - 1 }];
    }
    return made[i]!;
  }
  for (let i = 0; i < calls.length; i++) if (!place(i)) return null;
  const outs = outputs.map((o) => resolve(o.from));
  return outs.some((o) => o === null) ? null : (outs as Source[]);
}

/** The model's calls in topological order; null when it has several outputs or a layer with several outputs. */
export function callGraph(model: tf.LayersModel): CallGraph | null {
  const owner = model as unknown as LayerLike;
  const { inputs } = modelCalls(owner);
  const placed: Placed[] = [];
  const outputs = flatten(owner, inputs.map((_, index) => ({ kind: 'input', index })), placed);
  if (!outputs || outputs.length !== 1 || outputs[0].kind !== 'call') return null;
  const counts = new Map<Layer, number>();
  for (const p of placed) counts.set(p.layer, (counts.get(p.layer) ?? 0) + 1);
  const seen = new Map<Layer, number>();
  const calls: GraphCall[] = placed.map((p) => {
    const callIndex = seen.get(p.layer) ?? 0;
    seen.set(p.layer, callIndex + 1);
    const callCount = counts.get(p.layer)!;
    return { layer: p.layer, name: callCount > 1 ? `${p.layer.name} (call ${callIndex + 1})` : p.layer.name, callIndex, callCount, sources: p.sources, consumers: [] };
  });
  calls.forEach((call, i) => { for (const s of call.sources) if (s.kind === 'call') calls[s.call].consumers.push(i); });
  calls[outputs[0].call].consumers.push('output');
  return { inputNames: inputs.map((i) => i.name), calls, output: outputs[0] };
}

/** A whole model as one call: what the trace follows when the graph cannot be followed call by call. */
export function wholeModel(model: tf.LayersModel): CallGraph {
  const layer = model as unknown as Layer;
  return {
    inputNames: model.inputs.map((_, i) => `input ${i + 1}`),
    calls: [{ layer, name: model.name, callIndex: 0, callCount: 1, sources: model.inputs.map((_, index) => ({ kind: 'input', index })), consumers: ['output'] }],
    output: { kind: 'call', call: 0 },
  };
}

/** A source's name: a model input's, or the call's. */
export const sourceName = (graph: CallGraph, s: Source): string => (s.kind === 'input' ? graph.inputNames[s.index] : graph.calls[s.call].name);
