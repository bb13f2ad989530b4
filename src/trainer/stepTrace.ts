// The trace of one sample through one training step: forward layer by layer, the loss, backward layer
// by layer from the output (each layer's local derivative applied to dL/d(output) by tfjs's autodiff),
// this sample's dL/dW beside the batch mean the update uses, and the update itself (before and after).
// Any graph of calls (residual blocks, merges, nested models, shared layers) runs in topological order.
import * as tf from '@tensorflow/tfjs';
import { modelCalls } from '../model/layerCalls';
import { isModel, type LayerLike } from '../model/modelStructure';
import type { TraceLayer, TraceLoss, TraceMessage, TraceWeight } from '../protocol/traceMessages';
import { inputSize, type Batch } from '../data/dataSource';
import { batchTensors } from './batchTensors';
import { callGraph, sourceName, wholeModel, type CallGraph } from './callGraph';
import { traceGraph } from './graphBackprop';
import { activationName, trainableVariables, type Activation, type Layer } from './layerActivation';
import type { RunPlan } from './runPlan';
import { mapLimits, roundForTrace, tensorView } from './tensorViews';

/** Feature-map values a trace of a graph that is not a chain carries at most, over all its views. */
const DAG_MAP_BUDGET = 250_000;

/** Which step to trace, and which sample of its batch (its position, 0-based). */
export interface TraceRequest {
  step: number;
  sample: number;
}

/** Where the traced step is, as trainStep knows it. */
export interface TracedStep {
  epoch: number;
  step: number;
  batch: number;
  /** The step's samples, and where the first of them is in the epoch's order. */
  samples: Batch;
  firstIndex: number;
  lr: number;
}

/** A trace whose update is still to come: the weights as they were, read back before the update. */
export interface PendingTrace {
  message: TraceMessage;
  weights: { view: Omit<TraceWeight, 'delta' | 'after'>; variable: tf.Variable; before: Float32Array; into: TraceWeight[] }[];
}

/** The model's layers as one chain (nested models opened), or null when it branches, merges or shares layers. */
export function layerChain(model: tf.LayersModel): Layer[] | null {
  const out: Layer[] = [];
  const visit = (owner: LayerLike): boolean => {
    const { inputs, calls, outputs } = modelCalls(owner);
    if (inputs.length !== 1 || outputs.length !== 1) return false;
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i];
      const from = call.inputs.length === 1 ? call.inputs[0].from : null;
      const follows = i === 0 ? from?.kind === 'input' : from?.kind === 'call' && from.call === i - 1;
      if (!follows || call.callCount !== 1 || call.outputs.length !== 1) return false;
      if (isModel(call.layer)) { if (!visit(call.layer)) return false; } else out.push(call.layer as unknown as Layer);
    }
    const last = outputs[0].from;
    return last?.kind === 'call' && last.call === calls.length - 1;
  };
  return visit(model as unknown as LayerLike) ? out : null;
}

type Values = ArrayLike<number>;

/**
 * Tensors kept out of a tidy scope and read back together after it (webgpu under Node reads only
 * asynchronously); `add` gives what returns the values once `load` has run.
 */
class LaterReads {
  private readonly tensors: tf.Tensor[] = [];
  private values: Values[] = [];

  add(t: tf.Tensor): () => Values {
    const i = this.tensors.push(tf.keep(t.clone())) - 1;
    return () => this.values[i];
  }

  async load(): Promise<void> {
    try {
      this.values = await Promise.all(this.tensors.map((t) => t.data() as Promise<Values>));
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    tf.dispose(this.tensors.splice(0));
  }
}

const weightView = (values: Values, shape: number[]) => tensorView(values, shape);
const asList = (values: Values) => Array.from(values, (v) => (Number.isFinite(v) ? roundForTrace(v) : 0));
const shortName = (variable: tf.Variable) => variable.name.split('/').pop()!.replace(/_\d+$/, '');

/** Traces the sample before the update (the gradients of the step are in `grads`); finishTrace completes it after. */
export async function beginTrace(run: RunPlan, at: TracedStep, sample: number, grads: tf.NamedTensorMap): Promise<PendingTrace> {
  const { data, loss } = run;
  const model = run.loaded.model;
  const position = Math.min(Math.max(0, sample), at.samples.count - 1);
  const index = at.firstIndex + position;
  const chain = layerChain(model);
  const graph = callGraph(model);
  // A chain's trace stays as it always was; other graphs also say where each layer's inputs come from.
  const dag = !chain && graph !== null;
  const pending: PendingTrace = {
    message: {
      type: 'trace', epoch: at.epoch, step: at.step, batch: at.batch, batchSize: at.samples.count, sample: position, sampleIndex: index,
      lr: at.lr, optimizer: run.plan.optimizer, rule: updateRule(run.optimizer), layers: [], loss: null as unknown as TraceLoss,
      note: chain ? inferenceNote(chain) : graph ? graphNote(graph) : 'This model\'s graph cannot be followed layer by layer (a layer with several outputs): the trace shows its loss only.',
      ...(dag ? { inputs: graph.inputNames } : {}),
    },
    weights: [],
  };
  const reads = new LaterReads();
  // A graph's many layers share one budget of feature-map values (a chain keeps the full caps).
  const limits = dag ? mapLimits(7 * graph.calls.length, DAG_MAP_BUDGET) : undefined;
  const view = (t: tf.Tensor) => {
    const values = reads.add(t);
    return () => tensorView(values(), t.shape.slice(1), limits);
  };
  let assemble = () => undefined as void;
  try {
    tf.tidy(() => fillIn());
  } catch (e) {
    reads.dispose();
    throw e;
  }
  await reads.load();
  assemble();
  return pending;

  // Computes every figure in one tidy scope; what reads them back is left in `assemble`.
  function fillIn(): void {
    const { x, y } = batchTensors(oneSample(at.samples, position, inputSize(data.inputShape)), data.inputShape, loss, run.outputs);
    const followed = graph ?? wholeModel(model);
    const lossOf = (p: tf.Tensor) => loss.fn(y, p);
    const pass = traceGraph(followed, [x], lossOf);
    const last = pass.calls[followed.output.kind === 'call' ? followed.output.call : pass.calls.length - 1];
    const lossLater = traceLoss(run, reads, pass.loss, y, pass.prediction, last.act, last.pre, last.dOutput, last.dPre);
    const layersLater = !graph ? [] : pass.calls.map((c): (() => TraceLayer) => {
      const layer = c.call.layer;
      const name = c.act ? activationName(layer) : null;
      const relu = name === 'relu' || layer.getClassName() === 'ReLU' || (layer.getClassName() === 'Activation' && activationName(layer) === 'relu');
      const weights: TraceWeight[] = [];
      const weightsLater = trainableVariables(layer).flatMap((variable) => {
        const batchGrad = grads[variable.name];
        const sampleGrad = c.weightGrads[variable.name];
        if (!batchGrad || !sampleGrad) return [];
        const [before, sampleValues, batchValues] = [reads.add(variable), reads.add(sampleGrad), reads.add(batchGrad)];
        return [() => {
          const was = Float32Array.from(before());
          pending.weights.push({
            view: {
              name: shortName(variable), before: weightView(was, variable.shape),
              sampleGrad: weightView(sampleValues(), variable.shape), batchGrad: weightView(batchValues(), variable.shape),
            },
            variable, before: was, into: weights,
          });
        }];
      });
      const [input, preActivation, output, dOutput, dPreActivation, dInput] =
        [view(c.inputs[0]), c.pre ? view(c.pre) : null, view(c.output), view(c.dOutput), c.dPre ? view(c.dPre) : null, view(c.dInputs[0])];
      const merged = dag && c.inputs.length > 1 ? { inputs: c.inputs.map(view), dInputs: c.dInputs.map(view) } : null;
      const outValues = reads.add(c.output);
      return () => {
        weightsLater.forEach((w) => w());
        return {
          layer: c.call.name, type: layer.getClassName(), activation: name, frozen: !layer.trainable,
          input: input(), preActivation: preActivation?.() ?? null, output: output(),
          activeShare: relu ? activeShare(outValues()) : null,
          dOutput: dOutput(), dPreActivation: dPreActivation?.() ?? null, dInput: dInput(), weights,
          ...(dag ? {
            sources: c.call.sources.map((s) => sourceName(followed, s)),
            consumers: c.call.consumers.map((k) => (k === 'output' ? 'loss' : followed.calls[k].name)),
          } : {}),
          ...(merged ? { inputs: merged.inputs.map((v) => v()), dInputs: merged.dInputs.map((v) => v()) } : {}),
        };
      };
    });
    assemble = () => {
      pending.message.loss = lossLater();
      pending.message.layers = layersLater.map((layer) => layer());
    };
  }
}

/** After the update: each weight's value and change; the trace is then complete. */
export async function finishTrace(pending: PendingTrace): Promise<TraceMessage> {
  for (const w of pending.weights) {
    const after = (await w.variable.data()) as Float32Array;
    const delta = new Float32Array(after.length);
    for (let i = 0; i < after.length; i++) delta[i] = after[i] - w.before[i];
    w.into.push({ ...w.view, delta: weightView(delta, w.variable.shape), after: weightView(after, w.variable.shape) });
  }
  return pending.message;
}

function activeShare(values: Values): number {
  let on = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > 0) on++;
  return values.length > 0 ? on / values.length : 0;
}

/** Sample `i` of a batch, as a batch of one. */
function oneSample(batch: Batch, i: number, size: number): Batch {
  const inputs = batch.inputs.slice(i * size, (i + 1) * size);
  if (batch.kind === 'classification') return { kind: 'classification', count: 1, inputs, labels: batch.labels.slice(i, i + 1) };
  const width = batch.targets.length / Math.max(1, batch.count);
  return { kind: 'regression', count: 1, inputs, targets: batch.targets.slice(i * width, (i + 1) * width) };
}

const CROSS_ENTROPIES = new Set(['categoricalCrossentropy', 'sparseCategoricalCrossentropy']);

/** The loss part of the trace, built once `reads` are loaded. */
function traceLoss(
  run: RunPlan, reads: LaterReads, value: tf.Tensor, y: tf.Tensor, prediction: tf.Tensor, lastActivation: Activation | null,
  logits: tf.Tensor | null, dPrediction: tf.Tensor, dLogits: tf.Tensor | null,
): () => TraceLoss {
  const fromLogits = CROSS_ENTROPIES.has(run.loss.name) && lastActivation?.getClassName().toLowerCase() === 'softmax' && logits !== null && dLogits !== null;
  const [valueRead, pRead, targetRead, logitsRead, gradientRead] =
    [reads.add(value), reads.add(prediction), reads.add(y), fromLogits ? reads.add(logits!) : null, reads.add(fromLogits ? dLogits! : dPrediction)];
  return () => lossFigures(run, valueRead()[0], asList(pRead()), asList(targetRead()), logitsRead ? asList(logitsRead()) : null, asList(gradientRead()));
}

function lossFigures(run: RunPlan, value: number, p: number[], target: number[], logits: number[] | null, outputGradient: number[]): TraceLoss {
  const classification = run.data.task.kind === 'classification';
  const targetClass = !classification ? null : run.loss.targets === 'oneHot' ? target.indexOf(Math.max(...target)) : Math.round(target[0]);
  const predictedClass = !classification ? null : p.length === 1 ? (p[0] > 0.5 ? 1 : 0) : p.indexOf(Math.max(...p));
  return {
    name: run.loss.name, value, targetClass, target: target.slice(0, 512), prediction: p.slice(0, 512), predictedClass,
    logits: logits ? logits.slice(0, 512) : null, outputGradient: outputGradient.slice(0, 512),
  };
}

function inferenceNote(layers: Layer[]): string | null {
  const modal = [...new Set(layers.filter((l) => /Dropout|BatchNormalization|GaussianNoise/.test(l.getClassName())).map((l) => l.name))];
  return modal.length > 0
    ? `${modal.join(', ')} run${modal.length === 1 ? 's' : ''} as in inference for the traced sample (dropout off, moving statistics), so its figures differ from its share of the batch.`
    : null;
}

/** What a graph's trace shows differently: layers run as in inference, and shared layers' summed weight gradients. */
function graphNote(graph: CallGraph): string | null {
  const shared = [...new Set(graph.calls.filter((c) => c.callCount > 1).map((c) => c.layer))];
  const modal = [...new Set(graph.calls.map((c) => c.layer).filter((l) => /Dropout|BatchNormalization|GaussianNoise/.test(l.getClassName())))];
  const notes = [
    modal.length > 3
      ? `${modal.length} ${[...new Set(modal.map((l) => l.getClassName()))].join('/')} layers run as in inference for the traced sample (dropout off, moving statistics), so their figures differ from their share of the batch.`
      : inferenceNote(modal),
    ...shared.map((l) => `${l.name} is called ${graph.calls.filter((c) => c.layer === l).length} times: its dL/dW is the sum over its calls, shown at its first call.`),
  ].filter((n): n is string => n !== null);
  return notes.length > 0 ? notes.join(' ') : null;
}

/** The optimizer's update of a weight w with gradient g, as the panel shows it. */
export function updateRule(optimizer: tf.Optimizer): string {
  switch (optimizer.getClassName()) {
    case 'SGD': return 'ΔW = −lr·g';
    case 'Momentum': return 'v ← μ·v + g;  ΔW = −lr·v';
    case 'Adam': case 'FusedAdam': return 'm ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²;  ΔW = −lr·m̂ / (√v̂ + ε)';
    case 'RMSProp': return 's ← ρ·s + (1−ρ)·g²;  ΔW = −lr·g / √(s + ε)';
    case 'Adagrad': return 's ← s + g²;  ΔW = −lr·g / √(s + ε)';
    default: return `${optimizer.getClassName()}: ΔW from g (before and after shown)`;
  }
}
