// One sample through a call graph, as the step trace shows it: forward call by call in topological
// order, then backward in reverse, where a call's dL/d(output) is the sum of what each consumer of
// its output sends back (a fork's paths add up), each activation's local derivative a step of its own.
import * as tf from '@tensorflow/tfjs';
import { isModel, type LayerLike } from '../model/modelStructure';
import type { CallGraph, GraphCall, Source } from './callGraph';
import { linearPart, ownActivation, trainableVariables, type Activation, type Layer } from './layerActivation';

export interface TracedCall {
  call: GraphCall;
  act: Activation | null;
  inputs: tf.Tensor[];
  /** Before the activation (z), for calls whose layer has one. */
  pre: tf.Tensor | null;
  output: tf.Tensor;
  /** dL/d(output): the sum over the output's consumers (or the loss's gradient at the model's output). */
  dOutput: tf.Tensor;
  dPre: tf.Tensor | null;
  /** dL/d(input), one per input, each sent back to its source. */
  dInputs: tf.Tensor[];
  /** This sample's dL/dW by variable name; a layer called more than once has the sum over its calls at its first call, none at the others. */
  weightGrads: tf.NamedTensorMap;
}

export interface GraphPass {
  calls: TracedCall[];
  prediction: tf.Tensor;
  loss: tf.Tensor;
  /** dL/d(prediction). */
  dPrediction: tf.Tensor;
}

/** Runs the sample `xs` (one tensor per model input) through `graph`; call it inside tf.tidy, which owns every tensor it returns. */
export function traceGraph(graph: CallGraph, xs: tf.Tensor[], lossOf: (prediction: tf.Tensor) => tf.Tensor): GraphPass {
  const steps = graph.calls.map((call) => {
    const act = isModel(call.layer as unknown as LayerLike) ? null : ownActivation(call.layer);
    return { call, act, linear: linearPart(call.layer, act !== null) };
  });
  const outputs: tf.Tensor[] = [];
  const tensorOf = (s: Source) => (s.kind === 'input' ? xs[s.index] : outputs[s.call]);
  const forward = steps.map((s) => {
    const inputs = s.call.sources.map(tensorOf);
    const z = s.linear(inputs);
    const output = s.act ? s.act.apply(z) : z;
    outputs.push(output);
    return { inputs, pre: s.act ? z : null, output };
  });
  const prediction = tensorOf(graph.output);
  const loss = lossOf(prediction);
  const dPrediction = tf.grad(lossOf)(prediction);
  // What each call's consumers send back, summed when the backward sweep reaches the call.
  const arriving: tf.Tensor[][] = steps.map(() => []);
  if (graph.output.kind === 'call') arriving[graph.output.call].push(dPrediction);
  const calls: TracedCall[] = new Array<TracedCall>(steps.length);
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    const f = forward[i];
    const parts = arriving[i];
    const g = parts.length === 0 ? tf.zerosLike(f.output) : parts.length === 1 ? parts[0] : tf.addN(parts);
    const act = s.act;
    const dz = act ? tf.grad((z: tf.Tensor) => tf.sum(tf.mul(act.apply(z), g)))(f.pre!) : g;
    const variables = isModel(s.call.layer as unknown as LayerLike) ? [] : trainableVariables(s.call.layer);
    const weightGrads = variables.length > 0 ? tf.variableGrads(() => tf.sum(tf.mul(s.linear(f.inputs), dz)) as tf.Scalar, variables).grads : {};
    const dInputs = tf.grads((...ins: tf.Tensor[]) => tf.sum(tf.mul(s.linear(ins), dz)))(f.inputs);
    s.call.sources.forEach((src, k) => { if (src.kind === 'call') arriving[src.call].push(dInputs[k]); });
    calls[i] = { call: s.call, act, inputs: f.inputs, pre: f.pre, output: f.output, dOutput: g, dPre: act ? dz : null, dInputs, weightGrads };
  }
  sumSharedWeights(calls);
  return { calls, prediction, loss, dPrediction };
}

/** A layer called more than once: its calls' dL/dW add up (one set of weights), shown at its first call. */
function sumSharedWeights(calls: TracedCall[]): void {
  const first = new Map<Layer, TracedCall>();
  for (const c of calls) {
    const at = first.get(c.call.layer);
    if (!at) { first.set(c.call.layer, c); continue; }
    for (const [name, grad] of Object.entries(c.weightGrads)) at.weightGrads[name] = at.weightGrads[name] ? tf.add(at.weightGrads[name], grad) : grad;
    c.weightGrads = {};
  }
}
